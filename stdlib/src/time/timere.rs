//! The regular expression `time.strptime` matches: `_strptime.TimeRE` for the C locale
//! (`LocaleTime`'s names and `%c`/`%x`/`%X` formats), compiled through `re`'s translator so
//! that it matches as Python's `re` would, and cached as `_strptime` caches it.

use crate::re::translate::{translate, IGNORECASE};
use aio_vm::module::{getattr, sequence_items};
use aio_vm::{PyResult, Value, Vm};
use fancy_regex::Regex;
use std::cell::RefCell;
use std::rc::Rc;

pub(super) const F_WEEKDAY: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];
pub(super) const A_WEEKDAY: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
pub(super) const F_MONTH: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
pub(super) const A_MONTH: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const AM_PM: [&str; 2] = ["am", "pm"];

/// The zone names `%Z` accepts: (without daylight saving, with it), lowercased.
pub(super) type Zones = (Vec<String>, Vec<String>);

thread_local! {
    /// Compiled formats, keyed by format and zone names (at most 5, as `_strptime` keeps).
    static CACHE: RefCell<Vec<(String, Rc<Regex>)>> = const { RefCell::new(Vec::new()) };
}

/// `re.escape`.
fn re_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if "()[]{}?*+-|^$\\.&~# \t\n\r\x0b\x0c".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `TimeRE.__seqToRE`: the names, longest first, as one named group.
fn seq_to_re<'a>(names: impl IntoIterator<Item = &'a str>, directive: char) -> String {
    let mut names: Vec<&str> = names.into_iter().collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
    if names.iter().all(|n| n.is_empty()) {
        return String::new();
    }
    let alts: Vec<String> = names.iter().map(|n| re_escape(n)).collect();
    format!("(?P<{directive}>{})", alts.join("|"))
}

/// `LocaleTime`'s `%c`, `%x` and `%X` formats, found from the C locale's output for
/// 1999-03-17 22:44:55 as `__calc_date_time` finds them.
fn locale_format(which: char, zones: &Zones) -> String {
    let sample = match which {
        'c' => "wed mar 17 22:44:55 1999",
        'x' => "03/17/99",
        _ => "22:44:55",
    };
    let pairs = [
        ("%", "%%"),
        ("wednesday", "%A"),
        ("march", "%B"),
        ("wed", "%a"),
        ("mar", "%b"),
        ("pm", "%p"),
        ("1999", "%Y"),
        ("99", "%y"),
        ("22", "%H"),
        ("44", "%M"),
        ("55", "%S"),
        ("76", "%j"),
        ("17", "%d"),
        ("03", "%m"),
        ("3", "%m"),
        ("2", "%w"),
        ("10", "%I"),
    ];
    let tz = zones.0.iter().chain(&zones.1).map(|z| (z.as_str(), "%Z"));
    let mut f = sample.to_string();
    for (old, new) in pairs.into_iter().chain(tz) {
        if !old.is_empty() {
            f = f.replace(old, new);
        }
    }
    f.replace("11", "%U")
}

/// The regular expression of directive `d`.
fn directive(d: char, zones: &Zones) -> Result<String, Bad> {
    Ok(match d {
        'd' => r"(?P<d>3[0-1]|[1-2]\d|0[1-9]|[1-9]| [1-9])".into(),
        'f' => r"(?P<f>[0-9]{1,6})".into(),
        'H' => r"(?P<H>2[0-3]|[0-1]\d|\d)".into(),
        'I' => r"(?P<I>1[0-2]|0[1-9]|[1-9])".into(),
        'G' => r"(?P<G>\d\d\d\d)".into(),
        'j' => r"(?P<j>36[0-6]|3[0-5]\d|[1-2]\d\d|0[1-9]\d|00[1-9]|[1-9]\d|0[1-9]|[1-9])".into(),
        'm' => r"(?P<m>1[0-2]|0[1-9]|[1-9])".into(),
        'M' => r"(?P<M>[0-5]\d|\d)".into(),
        'S' => r"(?P<S>6[0-1]|[0-5]\d|\d)".into(),
        'U' | 'W' => format!(r"(?P<{d}>5[0-3]|[0-4]\d|\d)"),
        'w' => r"(?P<w>[0-6])".into(),
        'u' => r"(?P<u>[1-7])".into(),
        'V' => r"(?P<V>5[0-3]|0[1-9]|[1-4]\d|\d)".into(),
        'y' => r"(?P<y>\d\d)".into(),
        'Y' => r"(?P<Y>\d\d\d\d)".into(),
        'z' => r"(?P<z>[+-]\d\d:?[0-5]\d(:?[0-5]\d(\.\d{1,6})?)?|(?-i:Z))".into(),
        'A' => seq_to_re(F_WEEKDAY, 'A'),
        'a' => seq_to_re(A_WEEKDAY, 'a'),
        'B' => seq_to_re(F_MONTH, 'B'),
        'b' => seq_to_re(A_MONTH, 'b'),
        'p' => seq_to_re(AM_PM, 'p'),
        'Z' => seq_to_re(zones.0.iter().chain(&zones.1).map(|z| z.as_str()), 'Z'),
        '%' => "%".into(),
        'c' | 'x' | 'X' => pattern(&locale_format(d, zones), zones)?,
        _ => return Err(Bad::Directive(d)),
    })
}

/// Why a format has no pattern.
enum Bad {
    /// `%` followed by a character that is no directive.
    Directive(char),
    /// `%` at the end.
    Stray,
}

/// `TimeRE.pattern`: the format with regex syntax escaped, white space runs as `\s+` and
/// each directive replaced by its expression.
fn pattern(format: &str, zones: &Zones) -> Result<String, Bad> {
    let mut f = String::new();
    let mut in_space = false;
    for c in format.chars() {
        if c.is_whitespace() || ('\x1c'..='\x1f').contains(&c) {
            if !in_space {
                f.push_str(r"\s+");
            }
            in_space = true;
            continue;
        }
        in_space = false;
        if r"\.^$*+?(){}[]|".contains(c) {
            f.push('\\');
        }
        f.push(c);
    }
    let mut out = String::new();
    let mut chars = f.chars();
    while let Some(c) = chars.next() {
        if c == '%' {
            out.push_str(&directive(chars.next().ok_or(Bad::Stray)?, zones)?);
        } else {
            out.push(c);
        }
    }
    Ok(out)
}

/// The zone names from `time.tzname` and `time.daylight` (`LocaleTime.__calc_timezone`).
pub(super) fn zones(vm: &mut Vm) -> PyResult<(Zones, [String; 2], bool)> {
    let m = super::time_module(vm)?;
    let names = getattr(vm, &m, "tzname")?;
    let names = sequence_items(&names).unwrap_or_default();
    let name = |i: usize| {
        names
            .get(i)
            .and_then(|n| n.as_str().map(|s| s.as_str().to_string()))
            .unwrap_or_default()
    };
    let tzname = [name(0), name(1)];
    let daylight = getattr(vm, &m, "daylight")?;
    let daylight = vm.is_true(&daylight)?;
    let mut no_saving = vec!["utc".to_string(), "gmt".to_string()];
    let lower = tzname[0].to_lowercase();
    if !no_saving.contains(&lower) {
        no_saving.push(lower);
    }
    let has_saving = if daylight {
        vec![tzname[1].to_lowercase()]
    } else {
        vec![]
    };
    Ok(((no_saving, has_saving), tzname, daylight))
}

/// The compiled expression of `format` (cached), or the error `_strptime` raises.
pub(super) fn compile(vm: &mut Vm, format: &str, zones: &Zones) -> PyResult<Rc<Regex>> {
    let key = format!("{format}\0{:?}", zones);
    if let Some(re) = CACHE.with(|c| c.borrow().iter().find(|e| e.0 == key).map(|e| e.1.clone())) {
        return Ok(re);
    }
    let pat = match pattern(format, zones) {
        Ok(p) => p,
        Err(bad) => {
            let msg = match bad {
                Bad::Stray => format!("stray % in format '{format}'"),
                Bad::Directive(d) => {
                    let d = if d == '\\' { '%' } else { d };
                    format!("'{d}' is a bad directive in format '{format}'")
                }
            };
            return Err(vm.new_value_error(msg));
        }
    };
    let src = match translate(&pat, IGNORECASE) {
        Ok((src, _)) => src,
        Err(e) => return Err(re_error(vm, e.msg, &pat, e.pos)),
    };
    let re = fancy_regex::RegexBuilder::new(&src)
        .build()
        .map_err(|e| vm.new_runtime_error(e.to_string()))?;
    let re = Rc::new(re);
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() > 5 {
            c.clear();
        }
        c.push((key, re.clone()));
    });
    Ok(re)
}

/// `re.error(msg, pattern, pos)` (a `ValueError` with the same text where `re` is absent).
fn re_error(vm: &mut Vm, msg: String, pat: &str, pos: Option<usize>) -> aio_vm::Obj {
    let pos_v = pos.map_or(Value::None, |p| Value::Int(p as i64));
    let made = vm.import_module("re").and_then(|re| {
        let cls = getattr(vm, &re, "error")?;
        vm.call(
            &cls,
            &[Value::str(msg.clone()), Value::str(pat), pos_v],
            &[],
        )
    });
    match made {
        Ok(Value::Obj(e)) => e,
        _ => vm.new_value_error(match pos {
            Some(p) => format!("{msg} at position {p}"),
            None => msg,
        }),
    }
}
