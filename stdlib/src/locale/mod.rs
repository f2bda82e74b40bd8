//! `_locale`, the native half of `locale` (`lib/locale.aio` is CPython's `Lib/locale.py`):
//! the C library's `setlocale`, `localeconv`, `nl_langinfo`, `wcscoll` and `wcsxfrm`, under
//! `_locale.aio`, which gives them the argument checks and messages of CPython's
//! `_localemodule.c` and defines `locale.Error`.
//!
//! The locale is the process's, as in CPython. Importing `_locale` sets `LC_CTYPE` from the
//! environment as CPython does when it starts (`setlocale(LC_CTYPE, "")`, with the C locale
//! coerced to `C.UTF-8` unless `LC_ALL` is set: PEP 538); the other categories stay "C"
//! until a script sets them. Text from the C library is decoded as CPython's
//! `PyUnicode_DecodeLocale` does, with `mbstowcs` in the current `LC_CTYPE`.

use aio_vm::module::ModuleBuilder;
use aio_vm::native::{Args, NativeFn};
use aio_vm::{Obj, PyResult, Value, Vm};
use std::ffi::{CStr, CString};
use std::sync::Once;

extern "C" {
    fn mbstowcs(dest: *mut libc::wchar_t, src: *const libc::c_char, n: libc::size_t) -> usize;
    fn wcscoll(a: *const libc::wchar_t, b: *const libc::wchar_t) -> libc::c_int;
    fn wcsxfrm(dest: *mut libc::wchar_t, src: *const libc::wchar_t, n: libc::size_t) -> usize;
}

/// `nl_langinfo`'s keys that CPython's `_locale` exposes on glibc, by name.
const LANGINFO: &[(&str, libc::nl_item)] = &[
    ("CODESET", libc::CODESET),
    ("D_T_FMT", libc::D_T_FMT),
    ("D_FMT", libc::D_FMT),
    ("T_FMT", libc::T_FMT),
    ("T_FMT_AMPM", libc::T_FMT_AMPM),
    ("AM_STR", libc::AM_STR),
    ("PM_STR", libc::PM_STR),
    ("DAY_1", libc::DAY_1),
    ("DAY_2", libc::DAY_2),
    ("DAY_3", libc::DAY_3),
    ("DAY_4", libc::DAY_4),
    ("DAY_5", libc::DAY_5),
    ("DAY_6", libc::DAY_6),
    ("DAY_7", libc::DAY_7),
    ("ABDAY_1", libc::ABDAY_1),
    ("ABDAY_2", libc::ABDAY_2),
    ("ABDAY_3", libc::ABDAY_3),
    ("ABDAY_4", libc::ABDAY_4),
    ("ABDAY_5", libc::ABDAY_5),
    ("ABDAY_6", libc::ABDAY_6),
    ("ABDAY_7", libc::ABDAY_7),
    ("MON_1", libc::MON_1),
    ("MON_2", libc::MON_2),
    ("MON_3", libc::MON_3),
    ("MON_4", libc::MON_4),
    ("MON_5", libc::MON_5),
    ("MON_6", libc::MON_6),
    ("MON_7", libc::MON_7),
    ("MON_8", libc::MON_8),
    ("MON_9", libc::MON_9),
    ("MON_10", libc::MON_10),
    ("MON_11", libc::MON_11),
    ("MON_12", libc::MON_12),
    ("ABMON_1", libc::ABMON_1),
    ("ABMON_2", libc::ABMON_2),
    ("ABMON_3", libc::ABMON_3),
    ("ABMON_4", libc::ABMON_4),
    ("ABMON_5", libc::ABMON_5),
    ("ABMON_6", libc::ABMON_6),
    ("ABMON_7", libc::ABMON_7),
    ("ABMON_8", libc::ABMON_8),
    ("ABMON_9", libc::ABMON_9),
    ("ABMON_10", libc::ABMON_10),
    ("ABMON_11", libc::ABMON_11),
    ("ABMON_12", libc::ABMON_12),
    ("RADIXCHAR", libc::RADIXCHAR),
    ("THOUSEP", libc::THOUSEP),
    ("YESEXPR", libc::YESEXPR),
    ("NOEXPR", libc::NOEXPR),
    ("CRNCYSTR", libc::CRNCYSTR),
    ("ERA", libc::ERA),
    ("ERA_D_FMT", libc::ERA_D_FMT),
    ("ERA_D_T_FMT", libc::ERA_D_T_FMT),
    ("ERA_T_FMT", libc::ERA_T_FMT),
    ("ALT_DIGITS", libc::ALT_DIGITS),
    // glibc's `_DATE_FMT` (the format of date(1)), which the libc crate does not name.
    ("_DATE_FMT", 0x2006C),
];

/// The locale categories, by name.
const CATEGORIES: &[(&str, libc::c_int)] = &[
    ("LC_CTYPE", libc::LC_CTYPE),
    ("LC_COLLATE", libc::LC_COLLATE),
    ("LC_TIME", libc::LC_TIME),
    ("LC_MONETARY", libc::LC_MONETARY),
    ("LC_NUMERIC", libc::LC_NUMERIC),
    ("LC_ALL", libc::LC_ALL),
    ("LC_MESSAGES", libc::LC_MESSAGES),
];

const SOURCE: crate::source::Source = ("locale/_locale.aio", include_str!("_locale.aio"));

static STARTUP: Once = Once::new();

/// What CPython does to the locale when it starts: `LC_CTYPE` from the environment, and
/// the C locale coerced to a UTF-8 one unless `LC_ALL` is set (PEP 538; the coercion
/// does not set the `LC_CTYPE` environment variable as CPython's does).
fn set_startup_locale() {
    STARTUP.call_once(|| {
        // SAFETY: setlocale with valid NUL-terminated strings; the query result is read
        // before the next call.
        unsafe {
            libc::setlocale(libc::LC_CTYPE, c"".as_ptr());
            let lc_all = std::env::var_os("LC_ALL").is_some_and(|v| !v.is_empty());
            let now = libc::setlocale(libc::LC_CTYPE, std::ptr::null());
            if !lc_all && !now.is_null() && CStr::from_ptr(now).to_bytes() == b"C" {
                for target in [c"C.UTF-8", c"C.utf8", c"UTF-8"] {
                    if !libc::setlocale(libc::LC_CTYPE, target.as_ptr()).is_null() {
                        break;
                    }
                }
            }
        }
    });
}

/// Initialises `_locale`.
pub fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    set_startup_locale();
    let mut b = ModuleBuilder::new(vm, m);
    for (name, f) in [
        ("_setlocale", setlocale as NativeFn),
        ("_localeconv", localeconv),
        ("_nl_langinfo", nl_langinfo),
        ("_strcoll", strcoll),
        ("_strxfrm", strxfrm),
    ] {
        b.function(name, f);
    }
    for (name, v) in CATEGORIES {
        b.constant(name, Value::Int(*v as i64));
    }
    for (name, v) in LANGINFO {
        b.constant(name, Value::Int(*v as i64));
    }
    b.constant("CHAR_MAX", Value::Int(libc::c_char::MAX as i64));
    // CPython's `_locale` is C: its frames never show in tracebacks, nor do these.
    vm.hidden_sources.insert(SOURCE.0.to_string());
    crate::source::run(vm, m, &[SOURCE])
}

/// Text from the C library in the current `LC_CTYPE` encoding (`mbstowcs`), or as UTF-8
/// with replacement characters where that fails.
fn decode(s: &CStr) -> String {
    let bytes = s.to_bytes();
    if bytes.is_ascii() {
        return String::from_utf8_lossy(bytes).into_owned();
    }
    // SAFETY: a null destination asks for the length only; `s` is NUL-terminated.
    let n = unsafe { mbstowcs(std::ptr::null_mut(), s.as_ptr(), 0) };
    if n == usize::MAX {
        return String::from_utf8_lossy(bytes).into_owned();
    }
    let mut wide: Vec<libc::wchar_t> = vec![0; n + 1];
    // SAFETY: `wide` has room for the `n` characters and the terminator.
    unsafe { mbstowcs(wide.as_mut_ptr(), s.as_ptr(), n + 1) };
    wide[..n]
        .iter()
        .map(|&w| char::from_u32(w as u32).unwrap_or('\u{FFFD}'))
        .collect()
}

/// A C string the C library returned, copied (null reads as empty, as CPython does for
/// glibc's `nl_langinfo(ERA)`).
///
/// # Safety
/// `p` is null or a valid NUL-terminated string.
unsafe fn copy(p: *const libc::c_char) -> CString {
    if p.is_null() {
        return CString::default();
    }
    CStr::from_ptr(p).into()
}

/// The current locale of `category` (`setlocale(category, NULL)`).
fn query(category: libc::c_int) -> Option<CString> {
    // SAFETY: a query; the result is copied before any other setlocale call.
    let p = unsafe { libc::setlocale(category, std::ptr::null()) };
    // SAFETY: setlocale returns null or a NUL-terminated string.
    (!p.is_null()).then(|| unsafe { copy(p) })
}

/// Decodes `texts`, with `LC_CTYPE` set for the time to the locale of `category` when one of
/// them is not ASCII and the two locales differ (CPython's `locale_decode_monetary` and
/// `_Py_GetLocaleconvNumeric`: the strings are in the encoding of their own category).
fn decode_in(category: libc::c_int, texts: &[&CString]) -> Vec<String> {
    let mut restore = None;
    if texts.iter().any(|t| !t.as_bytes().is_ascii()) {
        if let (Some(ctype), Some(own)) = (query(libc::LC_CTYPE), query(category)) {
            if ctype != own {
                // SAFETY: `own` is a locale name setlocale just reported.
                unsafe { libc::setlocale(libc::LC_CTYPE, own.as_ptr()) };
                restore = Some(ctype);
            }
        }
    }
    let out = texts.iter().map(|t| decode(t)).collect();
    if let Some(ctype) = restore {
        // SAFETY: `ctype` is the locale name setlocale reported before.
        unsafe { libc::setlocale(libc::LC_CTYPE, ctype.as_ptr()) };
    }
    out
}

/// `_setlocale(category, locale)`: the locale set (or current, for `None`) as `str`, or
/// `None` when the C library refuses (`_locale.aio` raises `locale.Error`).
fn setlocale(vm: &mut Vm, a: Args) -> PyResult {
    let category = match a.get(0) {
        Some(Value::Int(n)) => libc::c_int::try_from(*n).unwrap_or(-1),
        _ => return Err(vm.new_type_error("_setlocale(category, locale)")),
    };
    let p = match a.get(1) {
        Some(Value::Str(s)) => {
            let c = CString::new(s.as_str())
                .map_err(|_| vm.new_value_error("embedded null character"))?;
            // SAFETY: `c` is a valid NUL-terminated locale name.
            unsafe { libc::setlocale(category, c.as_ptr()) }
        }
        // SAFETY: a query.
        _ => unsafe { libc::setlocale(category, std::ptr::null()) },
    };
    if p.is_null() {
        return Ok(Value::None);
    }
    // SAFETY: setlocale returned a NUL-terminated string.
    let name = unsafe { copy(p) };
    Ok(Value::str(decode(&name)))
}

/// CPython's `copy_grouping`: a grouping string as a list of ints that ends at (and keeps)
/// its 0 or `CHAR_MAX`; an empty string is an empty list.
fn grouping(vm: &mut Vm, s: &CString) -> Value {
    let mut items = Vec::new();
    for &b in s.as_bytes_with_nul() {
        let c = b as libc::c_char;
        items.push(Value::Int(c as i64));
        if c == 0 || c == libc::c_char::MAX {
            break;
        }
    }
    if s.as_bytes().is_empty() {
        items.clear();
    }
    vm.new_list(items)
}

/// `_localeconv()`: `localeconv()` as CPython's dict, in its key order.
fn localeconv(vm: &mut Vm, _a: Args) -> PyResult {
    // SAFETY: localeconv returns the C library's static struct; every field is copied
    // before any other locale call.
    let lc = unsafe { &*libc::localeconv() };
    // SAFETY: the fields are NUL-terminated strings (or null).
    let s = |p: *mut libc::c_char| unsafe { copy(p) };
    let (int_curr, curr, mon_dp, mon_ts) = (
        s(lc.int_curr_symbol),
        s(lc.currency_symbol),
        s(lc.mon_decimal_point),
        s(lc.mon_thousands_sep),
    );
    let (mon_grouping, pos, neg) = (s(lc.mon_grouping), s(lc.positive_sign), s(lc.negative_sign));
    let (dp, ts, num_grouping) = (s(lc.decimal_point), s(lc.thousands_sep), s(lc.grouping));
    let chars = [
        ("int_frac_digits", lc.int_frac_digits),
        ("frac_digits", lc.frac_digits),
        ("p_cs_precedes", lc.p_cs_precedes),
        ("p_sep_by_space", lc.p_sep_by_space),
        ("n_cs_precedes", lc.n_cs_precedes),
        ("n_sep_by_space", lc.n_sep_by_space),
        ("p_sign_posn", lc.p_sign_posn),
        ("n_sign_posn", lc.n_sign_posn),
    ];
    let d = vm.new_dict(aio_vm::dict::Dict::new());
    let monetary = decode_in(libc::LC_MONETARY, &[&int_curr, &curr, &mon_dp, &mon_ts]);
    for (key, text) in [
        "int_curr_symbol",
        "currency_symbol",
        "mon_decimal_point",
        "mon_thousands_sep",
    ]
    .into_iter()
    .zip(monetary)
    {
        vm.dict_set_str(&d, key, Value::str(text));
    }
    let g = grouping(vm, &mon_grouping);
    vm.dict_set_str(&d, "mon_grouping", g);
    vm.dict_set_str(&d, "positive_sign", Value::str(decode(&pos)));
    vm.dict_set_str(&d, "negative_sign", Value::str(decode(&neg)));
    for (key, c) in chars {
        vm.dict_set_str(&d, key, Value::Int(c as i64));
    }
    let numeric = decode_in(libc::LC_NUMERIC, &[&dp, &ts]);
    for (key, text) in ["decimal_point", "thousands_sep"].into_iter().zip(numeric) {
        vm.dict_set_str(&d, key, Value::str(text));
    }
    let g = grouping(vm, &num_grouping);
    vm.dict_set_str(&d, "grouping", g);
    Ok(Value::Obj(d))
}

/// `_nl_langinfo(item)`: the C library's answer for a key `_locale.aio` has checked.
fn nl_langinfo(vm: &mut Vm, a: Args) -> PyResult {
    let item = match a.get(0) {
        Some(Value::Int(n)) => *n as libc::nl_item,
        _ => return Err(vm.new_type_error("_nl_langinfo(item)")),
    };
    // SAFETY: nl_langinfo returns null or a NUL-terminated string, copied at once.
    let text = unsafe { copy(libc::nl_langinfo(item)) };
    Ok(Value::str(decode(&text)))
}

/// Argument `i`, a `str` already checked by `_locale.aio`, as a NUL-terminated wide string.
fn wide(a: &Args, i: usize) -> Vec<libc::wchar_t> {
    let s = match a.get(i) {
        Some(Value::Str(s)) => s.as_str().to_string(),
        _ => String::new(),
    };
    s.chars()
        .map(|c| c as libc::wchar_t)
        .chain(std::iter::once(0))
        .collect()
}

/// `_strcoll(a, b)`: `wcscoll` of two strings.
fn strcoll(_vm: &mut Vm, a: Args) -> PyResult {
    let (x, y) = (wide(&a, 0), wide(&a, 1));
    // SAFETY: both are NUL-terminated wide strings.
    Ok(Value::Int(unsafe { wcscoll(x.as_ptr(), y.as_ptr()) } as i64))
}

/// `_strxfrm(s)`: `wcsxfrm` of a string (CPython's two-step sizing).
fn strxfrm(vm: &mut Vm, a: Args) -> PyResult {
    let s = wide(&a, 0);
    let mut size = s.len();
    loop {
        let mut buf: Vec<libc::wchar_t> = vec![0; size];
        // SAFETY: `buf` has `size` wide characters; `s` is NUL-terminated.
        let n = unsafe { wcsxfrm(buf.as_mut_ptr(), s.as_ptr(), size) };
        if n >= size {
            size = n + 1;
            continue;
        }
        let mut out = String::with_capacity(n);
        for &w in &buf[..n] {
            match char::from_u32(w as u32) {
                Some(c) => out.push(c),
                None => {
                    return Err(vm.new_value_error(format!(
                        "character U+{:x} is not in range [U+0000; U+10ffff]",
                        w as u32
                    )))
                }
            }
        }
        return Ok(Value::str(out));
    }
}
