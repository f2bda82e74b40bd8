//! `struct_time` and the calendar conversions through the C library: `gmtime`, `localtime`,
//! `mktime`, `strftime`, `asctime`, `ctime`, with CPython's `gettmarg`/`checktm` checks.

use super::{c_int, clock_ns, parse_count, time_module};
use aio_vm::module::{new_tuple_instance, sequence_items, set_instance_attr, to_f64, to_index};
use aio_vm::native::Args;
use aio_vm::object::Payload;
use aio_vm::{Obj, PyResult, Value, Vm};
use num_traits::ToPrimitive;
use std::ffi::{CStr, CString};
use std::rc::Rc;

/// The named fields, visible ones first; the last two exist only as attributes.
pub(super) const FIELDS: [&str; 11] = [
    "tm_year",
    "tm_mon",
    "tm_mday",
    "tm_hour",
    "tm_min",
    "tm_sec",
    "tm_wday",
    "tm_yday",
    "tm_isdst",
    "tm_zone",
    "tm_gmtoff",
];

/// Registers the conversion functions and the `struct_time` class.
pub(super) fn register(b: &mut aio_vm::module::ModuleBuilder) {
    let fns: &[(&str, aio_vm::native::NativeFn)] = &[
        ("gmtime", time_gmtime),
        ("localtime", time_localtime),
        ("mktime", time_mktime),
        ("strftime", time_strftime),
        ("asctime", time_asctime),
        ("ctime", time_ctime),
    ];
    for (name, f) in fns {
        b.function(name, *f);
    }
    let tuple = b.vm().types.tuple.clone();
    let mut c = b.class_with_bases("struct_time", &[tuple]);
    c.constructor(struct_time_new)
        .method("__repr__", struct_time_repr)
        .method("__reduce__", struct_time_reduce)
        .method("__getattr__", struct_time_getattr)
        .method("__setattr__", struct_time_setattr)
        .method("__delattr__", struct_time_setattr)
        .attr("n_sequence_fields", 9i64)
        .attr("n_fields", 11i64)
        .attr("n_unnamed_fields", 0i64);
    c.finish();
}

/// The seconds argument of `gmtime`/`localtime`/`ctime` (`None` = now), floored
/// (CPython's `_PyTime_ObjectToTime_t`).
fn seconds_arg(vm: &mut Vm, v: Option<&Value>) -> PyResult<libc::time_t> {
    let v = match v {
        None | Some(Value::None) => {
            return Ok((clock_ns(libc::CLOCK_REALTIME) / 1_000_000_000) as _)
        }
        Some(v) => v,
    };
    let overflow =
        |vm: &mut Vm| vm.new_overflow_error("timestamp out of range for platform time_t");
    let float = vm.types.float.clone();
    if !vm.isinstance(v, &float) {
        let b = to_index(vm, v)?;
        return b.to_i64().map(|x| x as _).ok_or_else(|| overflow(vm));
    }
    let x = to_f64(vm, v)?;
    if x.is_nan() {
        return Err(vm.new_value_error("Invalid value NaN (not a number)"));
    }
    let f = x.floor();
    if !(-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f) {
        return Err(overflow(vm));
    }
    Ok(f as libc::time_t)
}

fn zeroed_tm() -> libc::tm {
    // SAFETY: `tm` is plain old data; all-zero (with a null zone pointer) is valid.
    unsafe { std::mem::zeroed() }
}

/// The `OSError` for a failed C call, from `errno` (`EINVAL` when it is not set).
fn errno_error(vm: &mut Vm) -> Obj {
    let errno = std::io::Error::last_os_error()
        .raw_os_error()
        .filter(|&e| e != 0)
        .unwrap_or(libc::EINVAL);
    crate::fs::os_error(vm, errno, None, None)
}

/// `gmtime_r` (`utc`) or `localtime_r` of `t`, with CPython's `OSError` on failure.
pub(super) fn broken_down(vm: &mut Vm, t: libc::time_t, utc: bool) -> PyResult<libc::tm> {
    let mut tm = zeroed_tm();
    // SAFETY: valid pointers to a time_t and a tm.
    let ok = unsafe {
        if utc {
            !libc::gmtime_r(&t, &mut tm).is_null()
        } else {
            !libc::localtime_r(&t, &mut tm).is_null()
        }
    };
    if ok {
        Ok(tm)
    } else {
        Err(errno_error(vm))
    }
}

/// The zone name of a C `tm` (empty when it has none).
pub(super) fn zone_name(tm: &libc::tm) -> Option<String> {
    // SAFETY: a non-null zone is a NUL-terminated name set by the C library.
    (!tm.tm_zone.is_null()).then(|| {
        unsafe { CStr::from_ptr(tm.tm_zone) }
            .to_string_lossy()
            .into_owned()
    })
}

/// A `struct_time` from a C `tm`.
fn struct_time(vm: &mut Vm, tm: &libc::tm) -> PyResult {
    let vals = [
        tm.tm_year as i64 + 1900,
        tm.tm_mon as i64 + 1,
        tm.tm_mday as i64,
        tm.tm_hour as i64,
        tm.tm_min as i64,
        tm.tm_sec as i64,
        (tm.tm_wday as i64 + 6) % 7,
        tm.tm_yday as i64 + 1,
        tm.tm_isdst as i64,
    ];
    let items: Vec<Value> = vals.iter().map(|&v| Value::Int(v)).collect();
    let zone = zone_name(tm).map_or(Value::None, Value::str);
    new_struct_time(vm, items, zone, Value::Int(tm.tm_gmtoff))
}

/// A `struct_time` of nine items, a zone and a UTC offset.
pub(super) fn new_struct_time(
    vm: &mut Vm,
    items: Vec<Value>,
    zone: Value,
    gmtoff: Value,
) -> PyResult {
    let cls = struct_time_class(vm)?;
    Ok(build_struct_time(vm, &cls, items, zone, gmtoff))
}

fn build_struct_time(vm: &mut Vm, cls: &Obj, items: Vec<Value>, zone: Value, off: Value) -> Value {
    let inst = new_tuple_instance(vm, cls, items.clone());
    for (name, v) in FIELDS.iter().zip(items.into_iter().chain([zone, off])) {
        set_instance_attr(vm, &inst, name, v);
    }
    inst
}

fn struct_time_class(vm: &mut Vm) -> PyResult<Obj> {
    let m = time_module(vm)?;
    match aio_vm::module::getattr(vm, &m, "struct_time")? {
        Value::Obj(o) => Ok(o),
        _ => Err(vm.new_type_error("time.struct_time is not a class")),
    }
}

fn time_gmtime(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "gmtime")?;
    parse_count(vm, &a, "gmtime", 0, 1)?;
    let t = seconds_arg(vm, a.get(0))?;
    let tm = broken_down(vm, t, true)?;
    struct_time(vm, &tm)
}

fn time_localtime(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "localtime")?;
    parse_count(vm, &a, "localtime", 0, 1)?;
    let t = seconds_arg(vm, a.get(0))?;
    let tm = broken_down(vm, t, false)?;
    struct_time(vm, &tm)
}

/// A C `tm` from a 9-tuple or `struct_time` (CPython's `gettmarg`); the `CString` keeps the
/// zone name `tm.tm_zone` points to alive.
fn tm_arg(vm: &mut Vm, v: &Value, fname: &str) -> PyResult<(libc::tm, Option<CString>)> {
    let Some(items) = sequence_items(v).filter(|_| matches!(v.payload(), Some(Payload::Tuple(_))))
    else {
        return Err(vm.new_type_error("Tuple or struct_time argument required"));
    };
    if items.len() != 9 {
        return Err(vm.new_type_error(format!("{fname}(): illegal time tuple argument")));
    }
    let mut f = [0i32; 9];
    for (slot, item) in f.iter_mut().zip(&items) {
        *slot = c_int(vm, item)?;
    }
    if f[0] < i32::MIN + 1900 {
        return Err(vm.new_overflow_error("year out of range"));
    }
    let mut tm = zeroed_tm();
    tm.tm_year = f[0] - 1900;
    tm.tm_mon = f[1].wrapping_sub(1);
    tm.tm_mday = f[2];
    tm.tm_hour = f[3];
    tm.tm_min = f[4];
    tm.tm_sec = f[5];
    tm.tm_wday = f[6].wrapping_add(1) % 7;
    tm.tm_yday = f[7].wrapping_sub(1);
    tm.tm_isdst = f[8];
    let mut zone = None;
    let cls = struct_time_class(vm)?;
    if Rc::ptr_eq(vm.class_of(v), &cls) {
        match aio_vm::module::getattr(vm, v, "tm_zone")? {
            Value::None => {}
            z => {
                let Some(s) = z.as_str() else {
                    return Err(vm.new_type_error("bad argument type for built-in operation"));
                };
                let bytes = s.as_str().split('\0').next().unwrap_or("").as_bytes();
                zone = CString::new(bytes).ok();
            }
        }
        match aio_vm::module::getattr(vm, v, "tm_gmtoff")? {
            Value::None => {}
            off => {
                let n = to_index(vm, &off)?;
                tm.tm_gmtoff = n.to_i64().ok_or_else(|| {
                    vm.new_overflow_error("Python int too large to convert to C long")
                })? as _;
            }
        }
    }
    if let Some(z) = &zone {
        tm.tm_zone = z.as_ptr();
    }
    Ok((tm, zone))
}

/// CPython's `checktm`, normalising the zero month/day/yday as it does.
fn check_tm(vm: &mut Vm, tm: &mut libc::tm) -> PyResult<()> {
    let msg = if tm.tm_mon == -1 {
        tm.tm_mon = 0;
        None
    } else {
        (!(0..=11).contains(&tm.tm_mon)).then_some("month out of range")
    };
    let msg = msg.or_else(|| {
        if tm.tm_mday == 0 {
            tm.tm_mday = 1;
        }
        [
            (!(0..=31).contains(&tm.tm_mday), "day of month out of range"),
            (!(0..=23).contains(&tm.tm_hour), "hour out of range"),
            (!(0..=59).contains(&tm.tm_min), "minute out of range"),
            (!(0..=61).contains(&tm.tm_sec), "seconds out of range"),
            (tm.tm_wday < 0, "day of week out of range"),
            (
                !(-1..=365).contains(&tm.tm_yday),
                "day of year out of range",
            ),
        ]
        .into_iter()
        .find_map(|(bad, m)| bad.then_some(m))
    });
    if let Some(m) = msg {
        return Err(vm.new_value_error(m));
    }
    tm.tm_yday = tm.tm_yday.max(0);
    Ok(())
}

/// The checked `tm` of a time-tuple argument, or the local time now.
fn checked_tm_or_now(
    vm: &mut Vm,
    v: Option<&Value>,
    fname: &str,
) -> PyResult<(libc::tm, Option<CString>)> {
    match v {
        Some(t) => {
            let (mut tm, z) = tm_arg(vm, t, fname)?;
            check_tm(vm, &mut tm)?;
            Ok((tm, z))
        }
        None => {
            let now = seconds_arg(vm, None)?;
            Ok((broken_down(vm, now, false)?, None))
        }
    }
}

fn time_strftime(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "strftime")?;
    parse_count(vm, &a, "strftime", 1, 2)?;
    let Some(fmt) = a.pos[0].as_str().cloned() else {
        return Err(vm.new_type_error(format!(
            "strftime() argument 1 must be str, not {}",
            vm.type_name(&a.pos[0])
        )));
    };
    let (mut tm, _zone) = checked_tm_or_now(vm, a.get(1), "strftime")?;
    tm.tm_isdst = tm.tm_isdst.clamp(-1, 1);
    let Ok(cfmt) = CString::new(fmt.as_str()) else {
        return Err(vm.new_value_error("embedded null character"));
    };
    let mut size = 1024usize;
    loop {
        let mut buf = vec![0u8; size];
        // SAFETY: `buf` has `size` writable bytes; `cfmt` and `tm` are valid.
        let n = unsafe { libc::strftime(buf.as_mut_ptr().cast(), size, cfmt.as_ptr(), &tm) };
        if n > 0 || size >= 256 * fmt.as_str().len() {
            buf.truncate(n);
            return Ok(Value::str(String::from_utf8_lossy(&buf).into_owned()));
        }
        size *= 2;
    }
}

const WDAY: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MON: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn asctime_of(tm: &libc::tm) -> String {
    format!(
        "{} {}{:3} {:02}:{:02}:{:02} {}",
        WDAY[tm.tm_wday.rem_euclid(7) as usize],
        MON[tm.tm_mon.rem_euclid(12) as usize],
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec,
        tm.tm_year.wrapping_add(1900)
    )
}

fn time_asctime(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "asctime")?;
    a.check_count(vm, "asctime", 0, 1)?;
    let (tm, _zone) = checked_tm_or_now(vm, a.get(0), "asctime")?;
    Ok(Value::str(asctime_of(&tm)))
}

fn time_ctime(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "ctime")?;
    parse_count(vm, &a, "ctime", 0, 1)?;
    let t = seconds_arg(vm, a.get(0))?;
    let tm = broken_down(vm, t, false)?;
    Ok(Value::str(asctime_of(&tm)))
}

fn time_mktime(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "time.mktime")?;
    a.check_count(vm, "time.mktime", 1, 1)?;
    let (mut tm, _zone) = tm_arg(vm, &a.pos[0], "mktime")?;
    tm.tm_wday = -1;
    // SAFETY: `tm` is a valid, initialised struct.
    let t = unsafe { libc::mktime(&mut tm) };
    if t == -1 && tm.tm_wday == -1 {
        return Err(vm.new_overflow_error("mktime argument out of range"));
    }
    Ok(Value::float(t as f64))
}

/// The items of `v` as CPython's `PySequence_Fast` takes them (any iterable).
fn sequence_fast(vm: &mut Vm, v: &Value, msg: &str) -> PyResult<Vec<Value>> {
    if let Some(items) = sequence_items(v) {
        return Ok(items);
    }
    let it = match vm.get_iter(v) {
        Ok(it) => it,
        Err(e) => {
            let type_error = vm.exc.type_error.clone();
            return Err(if vm.is_instance_of(&e, &type_error) {
                vm.new_type_error(msg)
            } else {
                e
            });
        }
    };
    vm.collect(&it)
}

/// `struct_time(sequence, dict={})`: 9 to 11 items; `dict` supplies the missing named ones.
fn struct_time_new(vm: &mut Vm, a: Args) -> PyResult {
    a.check_kwargs(vm, "structseq", &["sequence", "dict"])?;
    let cls = match a.pos.first() {
        Some(Value::Obj(c)) => c.clone(),
        _ => return Err(vm.new_type_error("struct_time.__new__(X): X is not a type object")),
    };
    let given = a.pos.len() - 1 + a.kw.len();
    if given > 2 {
        return Err(vm.new_type_error(format!(
            "structseq() takes at most 2 arguments ({given} given)"
        )));
    }
    let Some(seq) = a.arg(1, "sequence").cloned() else {
        return Err(vm.new_type_error("structseq() missing required argument 'sequence' (pos 1)"));
    };
    let dict = a.arg(2, "dict").cloned();
    let mut items = sequence_fast(vm, &seq, "constructor requires a sequence")?;
    let dict_type = vm.types.dict.clone();
    if dict.as_ref().is_some_and(|d| !vm.isinstance(d, &dict_type)) {
        return Err(vm.new_type_error("time.struct_time() takes a dict as second arg, if any"));
    }
    let n = items.len();
    if !(9..=11).contains(&n) {
        let bound = if n < 9 { "least 9" } else { "most 11" };
        return Err(vm.new_type_error(format!(
            "time.struct_time() takes an at {bound}-sequence ({n}-sequence given)"
        )));
    }
    for name in &FIELDS[n..] {
        let key = vm.intern(name);
        let v = dict
            .as_ref()
            .and_then(|d| d.as_obj().and_then(|d| vm.dict_get_str(d, &key)));
        items.push(v.unwrap_or(Value::None));
    }
    let off = items.pop().unwrap_or(Value::None);
    let zone = items.pop().unwrap_or(Value::None);
    Ok(build_struct_time(vm, &cls, items, zone, off))
}

fn struct_time_repr(vm: &mut Vm, a: Args) -> PyResult {
    let items = sequence_items(&a.pos[0]).unwrap_or_default();
    let mut parts = Vec::with_capacity(9);
    for (name, v) in FIELDS.iter().zip(&items) {
        let r = vm.repr(v)?;
        parts.push(format!("{name}={}", r.as_str()));
    }
    Ok(Value::str(format!(
        "time.struct_time({})",
        parts.join(", ")
    )))
}

/// `(struct_time, (nine items, {'tm_zone': ..., 'tm_gmtoff': ...}))`, as CPython pickles it.
fn struct_time_reduce(vm: &mut Vm, a: Args) -> PyResult {
    let s = a.pos[0].clone();
    let items = sequence_items(&s).unwrap_or_default();
    let cls = vm.class_of(&s).clone();
    let t = vm.new_tuple(items);
    let d = vm.new_dict(aio_vm::dict::Dict::new());
    for name in &FIELDS[9..] {
        let v = aio_vm::module::getattr(vm, &s, name)?;
        vm.dict_set_str(&d, name, v);
    }
    let args = vm.new_tuple(vec![t, Value::Obj(d)]);
    Ok(vm.new_tuple(vec![Value::Obj(cls), args]))
}

fn no_attribute(vm: &mut Vm, name: &Value) -> aio_vm::Obj {
    let name = name.as_str().map_or("", |s| s.as_str()).to_string();
    vm.new_attribute_error(format!(
        "'time.struct_time' object has no attribute '{name}'"
    ))
}

/// Attribute look-ups that found nothing: CPython names the type `time.struct_time`.
fn struct_time_getattr(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__getattr__", 1, 1)?;
    Err(no_attribute(vm, &a.pos[1]))
}

/// The fields are read-only, and there is no room for other attributes.
fn struct_time_setattr(vm: &mut Vm, a: Args) -> PyResult {
    let name = a.get(1).cloned().unwrap_or(Value::None);
    if name.as_str().is_some_and(|n| FIELDS.contains(&n.as_str())) {
        return Err(vm.new_attribute_error("readonly attribute"));
    }
    Err(no_attribute(vm, &name))
}
