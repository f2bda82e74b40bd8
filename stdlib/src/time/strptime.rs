//! `time.strptime`: CPython's `_strptime` in the C locale. The format becomes the regular
//! expression `_strptime.TimeRE` builds (through `re`'s translator, so it matches as Python's
//! `re` would), and the fields are resolved as `_strptime._strptime` resolves them, with
//! `datetime.date`'s checks and every `ValueError` message.

use super::date::{from_ordinal, is_leap, julian_from_iso, julian_from_week, ordinal, weekday};
use super::timere::{compile, zones, Zones, A_MONTH, A_WEEKDAY, F_MONTH, F_WEEKDAY};
use super::tm::new_struct_time;
use aio_vm::module::as_int;
use aio_vm::native::Args;
use aio_vm::{PyResult, Value, Vm};
use fancy_regex::RegexInput;
use num_traits::ToPrimitive;

/// `int(s)` for a matched field (`\d` takes any decimal digit, as Python's `int` does).
fn py_int(vm: &mut Vm, s: &str) -> PyResult<i64> {
    if !s.is_empty() && s.len() < 19 && s.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(s.parse().unwrap_or(0));
    }
    let int = Value::Obj(vm.types.int.clone());
    let v = vm.call(&int, &[Value::str(s)], &[])?;
    Ok(as_int(&v).and_then(|b| b.to_i64()).unwrap_or(0))
}

/// The UTC offset of a `%z` match: seconds, and the microseconds of its fraction (both
/// negative west of UTC).
fn gmtoff(vm: &mut Vm, found: &str) -> PyResult<(i64, i64)> {
    if found == "Z" {
        return Ok((0, 0));
    }
    let mut z: Vec<char> = found.chars().collect();
    if z[3] == ':' {
        z.remove(3);
        if z.len() > 5 {
            if z[5] != ':' {
                return Err(vm.new_value_error(format!("Inconsistent use of : in {found}")));
            }
            z.remove(5);
        }
    }
    let slice =
        |a: usize, b: usize| -> String { z[a.min(z.len())..b.min(z.len())].iter().collect() };
    let hours = py_int(vm, &slice(1, 3))?;
    let minutes = py_int(vm, &slice(3, 5))?;
    let seconds = match slice(5, 7) {
        s if s.is_empty() => 0,
        s => py_int(vm, &s)?,
    };
    let fraction = slice(8, z.len());
    let fraction = py_int(vm, &format!("{fraction:0<6}"))?;
    let off = hours * 3600 + minutes * 60 + seconds;
    Ok(if z[0] == '-' {
        (-off, -fraction)
    } else {
        (off, fraction)
    })
}

/// The index of a matched name in `names` (`list.index`).
fn name_index(vm: &mut Vm, names: &[&str], found: &str) -> PyResult<i64> {
    let lower = found.to_lowercase();
    match names.iter().position(|n| *n == lower) {
        Some(i) => Ok(i as i64),
        None => Err(vm.new_value_error(format!("'{lower}' is not in list"))),
    }
}

/// The fields `_strptime` reads from a match.
#[derive(Default)]
struct Fields {
    iso_year: Option<i64>,
    year: Option<i64>,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    tz: i64,
    gmtoff: Option<i64>,
    gmtoff_fraction: i64,
    fraction: i64,
    iso_week: Option<i64>,
    week_of_year: Option<i64>,
    week_starts_mon: bool,
    weekday: Option<i64>,
    julian: Option<i64>,
    zone: Option<String>,
}

/// Reads the named groups of a match, in their order, as `_strptime` does.
fn read_fields(
    vm: &mut Vm,
    groups: &[(char, &str)],
    tzname: &[String; 2],
    daylight: bool,
    zones: &Zones,
) -> PyResult<Fields> {
    let mut f = Fields {
        month: 1,
        day: 1,
        tz: -1,
        ..Fields::default()
    };
    let ampm = groups
        .iter()
        .find(|g| g.0 == 'p')
        .map(|g| g.1.to_lowercase());
    for &(key, text) in groups {
        match key {
            'y' => {
                let y = py_int(vm, text)?;
                f.year = Some(if y <= 68 { y + 2000 } else { y + 1900 });
            }
            'Y' => f.year = Some(py_int(vm, text)?),
            'G' => f.iso_year = Some(py_int(vm, text)?),
            'm' => f.month = py_int(vm, text)?,
            'B' => f.month = name_index(vm, &F_MONTH, text)? + 1,
            'b' => f.month = name_index(vm, &A_MONTH, text)? + 1,
            'd' => f.day = py_int(vm, text)?,
            'H' => f.hour = py_int(vm, text)?,
            'I' => {
                let h = py_int(vm, text)?;
                f.hour = match ampm.as_deref() {
                    None | Some("am") if h == 12 => 0,
                    Some("pm") if h != 12 => h + 12,
                    _ => h,
                };
            }
            'M' => f.minute = py_int(vm, text)?,
            'S' => f.second = py_int(vm, text)?,
            'A' => f.weekday = Some(name_index(vm, &F_WEEKDAY, text)?),
            'a' => f.weekday = Some(name_index(vm, &A_WEEKDAY, text)?),
            'w' => f.weekday = Some((py_int(vm, text)? + 6) % 7),
            'u' => f.weekday = Some(py_int(vm, text)? - 1),
            'j' => f.julian = Some(py_int(vm, text)?),
            'U' | 'W' => {
                f.week_of_year = Some(py_int(vm, text)?);
                f.week_starts_mon = key == 'W';
            }
            'V' => f.iso_week = Some(py_int(vm, text)?),
            'z' => {
                let (off, fraction) = gmtoff(vm, text)?;
                f.gmtoff = Some(off);
                f.gmtoff_fraction = fraction;
            }
            'f' => f.fraction = py_int(vm, &format!("{text:0<6}"))?,
            'Z' => {
                let found = text.to_lowercase();
                let sets = [&zones.0, &zones.1];
                if let Some(value) = sets.iter().position(|s| s.contains(&found)) {
                    let ambiguous = tzname[0] == tzname[1] && daylight;
                    if !(ambiguous && found != "utc" && found != "gmt") {
                        f.tz = value as i64;
                    }
                }
                f.zone = Some(text.to_string());
            }
            _ => {}
        }
    }
    Ok(f)
}

const ISO_YEAR_ALONE: &str = "ISO year directive '%G' must be used with the ISO week directive \
    '%V' and a weekday directive ('%A', '%a', '%w', or '%u').";
const ISO_YEAR_JULIAN: &str = "Day of the year directive '%j' is not compatible with ISO year \
    directive '%G'. Use '%Y' instead.";
const ISO_WEEK_ALONE: &str = "ISO week directive '%V' must be used with the ISO year directive \
    '%G' and a weekday directive ('%A', '%a', '%w', or '%u').";
const ISO_WEEK_YEAR: &str = "ISO week directive '%V' is incompatible with the year directive \
    '%Y'. Use the ISO year '%G' instead.";

/// The nine fields of the result, from what the format gave (`_strptime`'s second half).
fn resolve(f: &Fields) -> Result<[i64; 9], String> {
    if f.year.is_none() && f.iso_year.is_some() {
        if f.iso_week.is_none() || f.weekday.is_none() {
            return Err(ISO_YEAR_ALONE.into());
        }
        if f.julian.is_some() {
            return Err(ISO_YEAR_JULIAN.into());
        }
    } else if f.week_of_year.is_none() && f.iso_week.is_some() {
        let msg = if f.weekday.is_none() {
            ISO_WEEK_ALONE
        } else {
            ISO_WEEK_YEAR
        };
        return Err(msg.into());
    }
    let leap_year_fix = f.year.is_none() && f.month == 2 && f.day == 29;
    let mut year = f.year.unwrap_or(if leap_year_fix { 1904 } else { 1900 });
    let (mut month, mut day, mut julian) = (f.month, f.day, f.julian);
    if let (None, Some(wd)) = (julian, f.weekday) {
        if let Some(week) = f.week_of_year {
            julian = Some(julian_from_week(year, week, wd, f.week_starts_mon)?);
        } else if let (Some(iy), Some(iw)) = (f.iso_year, f.iso_week) {
            let (y, j) = julian_from_iso(iy, iw, wd + 1)?;
            year = y;
            julian = Some(j);
        }
        if let Some(j) = julian.filter(|&j| j <= 0) {
            year -= 1;
            julian = Some(j + if is_leap(year) { 366 } else { 365 });
        }
    }
    let julian = match julian {
        None => ordinal(year, month, day)? - ordinal(year, 1, 1)? + 1,
        Some(j) => {
            (year, month, day) = from_ordinal(j - 1 + ordinal(year, 1, 1)?)?;
            j
        }
    };
    let wd = match f.weekday {
        Some(w) => w,
        None => weekday(year, month, day)?,
    };
    if leap_year_fix {
        year = 1900;
    }
    Ok([
        year, month, day, f.hour, f.minute, f.second, wd, julian, f.tz,
    ])
}

/// `_strptime._strptime`'s matching and field resolution of `data` (`data_v`) against
/// `format` (`fmt_v`), both already known to be strings.
fn parse(vm: &mut Vm, data_v: &Value, fmt_v: &Value) -> PyResult<(Fields, [i64; 9])> {
    let str_of = |v: &Value| {
        v.as_str()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default()
    };
    let (data, format) = (str_of(data_v), str_of(fmt_v));
    let (zones, tzname, daylight) = zones(vm)?;
    let re = compile(vm, &format, &zones)?;
    let text = data.as_str();
    let caps = re
        .captures_input(RegexInput::new(text).anchored(true))
        .map_err(|e| vm.new_runtime_error(e.to_string()))?;
    let Some(caps) = caps else {
        let (d, f) = (vm.repr(data_v)?, vm.repr(fmt_v)?);
        return Err(vm.new_value_error(format!(
            "time data {} does not match format {}",
            d.as_str(),
            f.as_str()
        )));
    };
    let end = caps.get(0).map_or(0, |m| m.end());
    if end != text.len() {
        return Err(vm.new_value_error(format!("unconverted data remains: {}", &text[end..])));
    }
    let groups: Vec<(char, &str)> = re
        .capture_names()
        .enumerate()
        .filter_map(|(i, name)| {
            let key = name?.chars().next()?;
            Some((key, caps.get(i)?.as_str()))
        })
        .collect();
    let fields = read_fields(vm, &groups, &tzname, daylight, &zones)?;
    let vals = resolve(&fields).map_err(|m| vm.new_value_error(m))?;
    Ok((fields, vals))
}

/// Checks that the arguments are strings, with `_strptime`'s message (`strptime() argument 0
/// must be str, not <class 'int'>`).
fn check_str_args(vm: &mut Vm, args: [&Value; 2]) -> PyResult<()> {
    for (i, v) in args.into_iter().enumerate() {
        if v.as_str().is_none() {
            let cls = Value::Obj(vm.class_of(v).clone());
            let t = vm.repr(&cls)?;
            return Err(vm.new_type_error(format!(
                "strptime() argument {i} must be str, not {}",
                t.as_str()
            )));
        }
    }
    Ok(())
}

/// `time.strptime(string, format="%a %b %d %H:%M:%S %Y")`.
pub(super) fn time_strptime(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "strptime")?;
    match a.pos.len() {
        0 => {
            return Err(vm.new_type_error(
                "_strptime_time() missing 1 required positional argument: 'data_string'",
            ))
        }
        n @ 3.. => {
            return Err(vm.new_type_error(format!(
                "_strptime_time() takes from 1 to 2 positional arguments but {n} were given"
            )))
        }
        _ => {}
    }
    let fmt_v = a
        .get(1)
        .cloned()
        .unwrap_or_else(|| Value::str("%a %b %d %H:%M:%S %Y"));
    check_str_args(vm, [&a.pos[0], &fmt_v])?;
    let (fields, vals) = parse(vm, &a.pos[0], &fmt_v)?;
    let items = vals.iter().map(|&v| Value::Int(v)).collect();
    let zone = fields.zone.map_or(Value::None, Value::str);
    let off = fields.gmtoff.map_or(Value::None, Value::Int);
    new_struct_time(vm, items, zone, off)
}

/// `_strptime._strptime(data_string, format)`, what `datetime.strptime` builds its result
/// from: `((year, month, day, hour, minute, second, weekday, julian, tz, tzname, gmtoff),
/// fraction, gmtoff_fraction)`, the last two in microseconds.
pub fn strptime_parts(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "_strptime")?;
    a.check_count(vm, "_strptime", 2, 2)?;
    check_str_args(vm, [&a.pos[0], &a.pos[1]])?;
    let (fields, vals) = parse(vm, &a.pos[0], &a.pos[1])?;
    let mut items: Vec<Value> = vals.iter().map(|&v| Value::Int(v)).collect();
    items.push(fields.zone.map_or(Value::None, Value::str));
    items.push(fields.gmtoff.map_or(Value::None, Value::Int));
    let tt = vm.new_tuple(items);
    Ok(vm.new_tuple(vec![
        tt,
        Value::Int(fields.fraction),
        Value::Int(fields.gmtoff_fraction),
    ]))
}
