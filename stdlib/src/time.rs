//! The `time` module: clocks (`time`, `monotonic`, `perf_counter`, `process_time` and their
//! `_ns` forms), `sleep`, and calendar conversions through the C library (`gmtime`,
//! `localtime`, `mktime`, `strftime`, `asctime`, `ctime`) with `struct_time`, following
//! CPython's argument checks and messages.

use aio_vm::module::{
    int_value, new_tuple_instance, sequence_items, set_instance_attr, to_f64, ModuleBuilder,
};
use aio_vm::native::Args;
use aio_vm::{Obj, PyResult, Value, Vm};
use num_bigint::BigInt;
use std::ffi::{CStr, CString};

const FIELDS: [&str; 9] = [
    "tm_year", "tm_mon", "tm_mday", "tm_hour", "tm_min", "tm_sec", "tm_wday", "tm_yday", "tm_isdst",
];

fn clock_ns(clock: libc::clockid_t) -> i128 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid out-pointer.
    unsafe { libc::clock_gettime(clock, &mut ts) };
    ts.tv_sec as i128 * 1_000_000_000 + ts.tv_nsec as i128
}

/// Nanoseconds to seconds as CPython's `_PyTime_AsSecondsDouble` does.
fn ns_to_secs(ns: i128) -> f64 {
    if ns % 1_000_000_000 == 0 {
        (ns / 1_000_000_000) as f64
    } else {
        ns as f64 / 1e9
    }
}

macro_rules! clock_fns {
    ($($f:ident, $fns:ident, $name:literal, $clock:expr;)*) => {
        $(
            fn $f(vm: &mut Vm, a: Args) -> PyResult {
                a.check_count(vm, $name, 0, 0)?;
                Ok(Value::float(ns_to_secs(clock_ns($clock))))
            }

            fn $fns(vm: &mut Vm, a: Args) -> PyResult {
                a.check_count(vm, concat!($name, "_ns"), 0, 0)?;
                Ok(int_value(vm, BigInt::from(clock_ns($clock))))
            }
        )*
    };
}

clock_fns! {
    time_time, time_time_ns, "time", libc::CLOCK_REALTIME;
    time_monotonic, time_monotonic_ns, "monotonic", libc::CLOCK_MONOTONIC;
    time_perf_counter, time_perf_counter_ns, "perf_counter", libc::CLOCK_MONOTONIC;
    time_process_time, time_process_time_ns, "process_time", libc::CLOCK_PROCESS_CPUTIME_ID;
}

fn time_sleep(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "sleep")?;
    a.check_count(vm, "time.sleep", 1, 1)?;
    let v = &a.pos[0];
    let secs = if aio_vm::module::as_int(v).is_some() || matches!(v, Value::Float(_)) {
        to_f64(vm, v)?
    } else {
        let float = vm.types.float.clone();
        if vm.isinstance(v, &float) {
            to_f64(vm, v)?
        } else {
            return Err(vm.new_type_error(format!(
                "'{}' object cannot be interpreted as an integer",
                vm.type_name(v)
            )));
        }
    };
    if secs.is_nan() {
        return Err(vm.new_value_error("Invalid value NaN (not a number)"));
    }
    if secs < 0.0 {
        return Err(vm.new_value_error("sleep length must be non-negative"));
    }
    if !secs.is_finite() || secs > 9.2e9 {
        return Err(vm.new_overflow_error("timestamp too large to convert to C _PyTime_t"));
    }
    vm.flush_stdout();
    vm.sleep(std::time::Duration::from_secs_f64(secs))?;
    Ok(Value::None)
}

/// The seconds argument of `gmtime`/`localtime`/`ctime` (`None` = now), floored.
fn seconds_arg(vm: &mut Vm, v: Option<&Value>) -> PyResult<libc::time_t> {
    let v = match v {
        None | Some(Value::None) => {
            return Ok((clock_ns(libc::CLOCK_REALTIME) / 1_000_000_000) as libc::time_t)
        }
        Some(v) => v,
    };
    if let Some(b) = aio_vm::module::as_int(v) {
        return num_traits::ToPrimitive::to_i64(&b)
            .map(|x| x as libc::time_t)
            .ok_or_else(|| vm.new_overflow_error("timestamp out of range for platform time_t"));
    }
    let float = vm.types.float.clone();
    if !vm.isinstance(v, &float) {
        let b = aio_vm::module::to_index(vm, v)?;
        return num_traits::ToPrimitive::to_i64(&b)
            .map(|x| x as libc::time_t)
            .ok_or_else(|| vm.new_overflow_error("timestamp out of range for platform time_t"));
    }
    let x = to_f64(vm, v)?;
    if x.is_nan() {
        return Err(vm.new_value_error("Invalid value NaN (not a number)"));
    }
    let f = x.floor();
    if !(-9.2e18..9.2e18).contains(&f) {
        return Err(vm.new_overflow_error("timestamp out of range for platform time_t"));
    }
    Ok(f as libc::time_t)
}

fn zeroed_tm() -> libc::tm {
    // SAFETY: `tm` is plain old data; all-zero (with a null zone pointer) is valid.
    unsafe { std::mem::zeroed() }
}

/// A `struct_time` from a C `tm`.
fn struct_time(vm: &mut Vm, tm: &libc::tm) -> PyResult {
    let cls = struct_time_class(vm)?;
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
    let zone = if tm.tm_zone.is_null() {
        Value::None
    } else {
        // SAFETY: the C library set a NUL-terminated zone name.
        let z = unsafe { CStr::from_ptr(tm.tm_zone) };
        Value::str(z.to_string_lossy().into_owned())
    };
    build_struct_time(vm, &cls, items, zone, Value::Int(tm.tm_gmtoff))
}

fn build_struct_time(
    vm: &mut Vm,
    cls: &Obj,
    items: Vec<Value>,
    zone: Value,
    gmtoff: Value,
) -> PyResult {
    let inst = new_tuple_instance(vm, cls, items.clone());
    for (name, v) in FIELDS.iter().zip(items) {
        set_instance_attr(vm, &inst, name, v);
    }
    set_instance_attr(vm, &inst, "tm_zone", zone);
    set_instance_attr(vm, &inst, "tm_gmtoff", gmtoff);
    Ok(inst)
}

fn struct_time_class(vm: &mut Vm) -> PyResult<Obj> {
    let m = vm.intern("time");
    let modules = vm.modules.clone();
    let module = vm.dict_get_str(&modules, &m);
    let cls = match module {
        Some(m) => aio_vm::module::getattr(vm, &m, "struct_time")?,
        None => return Err(vm.new_runtime_error("time module not initialised")),
    };
    match cls {
        Value::Obj(o) => Ok(o),
        _ => Err(vm.new_type_error("time.struct_time is not a class")),
    }
}

fn time_gmtime(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "gmtime")?;
    a.check_count(vm, "gmtime", 0, 1)?;
    let t = seconds_arg(vm, a.get(0))?;
    let mut tm = zeroed_tm();
    // SAFETY: valid pointers to a time_t and a tm.
    if unsafe { libc::gmtime_r(&t, &mut tm) }.is_null() {
        return Err(vm.new_overflow_error("timestamp out of range for platform time_t"));
    }
    struct_time(vm, &tm)
}

fn local(vm: &mut Vm, t: libc::time_t) -> PyResult<libc::tm> {
    let mut tm = zeroed_tm();
    // SAFETY: valid pointers to a time_t and a tm.
    if unsafe { libc::localtime_r(&t, &mut tm) }.is_null() {
        return Err(vm.new_overflow_error("timestamp out of range for platform time_t"));
    }
    Ok(tm)
}

fn time_localtime(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "localtime")?;
    a.check_count(vm, "localtime", 0, 1)?;
    let t = seconds_arg(vm, a.get(0))?;
    let tm = local(vm, t)?;
    struct_time(vm, &tm)
}

/// A C `tm` from a 9-tuple or `struct_time` (CPython's `gettmarg`).
fn tm_arg(vm: &mut Vm, v: &Value, fname: &str) -> PyResult<(libc::tm, Option<CString>)> {
    let Some(items) = sequence_items(v)
        .filter(|_| matches!(v.payload(), Some(aio_vm::object::Payload::Tuple(_))))
    else {
        return Err(vm.new_type_error("Tuple or struct_time argument required"));
    };
    if items.len() != 9 {
        let is_struct = vm.type_name(v) == "struct_time";
        if !is_struct || items.len() < 9 {
            return Err(vm.new_type_error(format!("{fname}(): illegal time tuple argument")));
        }
    }
    let mut f = [0i64; 9];
    for (i, item) in items.iter().take(9).enumerate() {
        if matches!(item, Value::Float(_)) {
            return Err(vm.new_type_error("'float' object cannot be interpreted as an integer"));
        }
        let n = aio_vm::module::to_index(vm, item)?;
        f[i] = num_traits::ToPrimitive::to_i32(&n)
            .ok_or_else(|| vm.new_overflow_error("Python int too large to convert to C int"))?
            as i64;
    }
    let mut tm = zeroed_tm();
    if f[0] - 1900 < i32::MIN as i64 {
        return Err(vm.new_overflow_error("year out of range"));
    }
    tm.tm_year = (f[0] - 1900) as i32;
    tm.tm_mon = (f[1] - 1) as i32;
    tm.tm_mday = f[2] as i32;
    tm.tm_hour = f[3] as i32;
    tm.tm_min = f[4] as i32;
    tm.tm_sec = f[5] as i32;
    tm.tm_wday = ((f[6] as i32) + 1) % 7;
    tm.tm_yday = (f[7] - 1) as i32;
    tm.tm_isdst = f[8] as i32;
    let mut zone = None;
    if vm.type_name(v) == "struct_time" {
        if let Ok(Value::Str(z)) = aio_vm::module::getattr(vm, v, "tm_zone") {
            zone = CString::new(z.as_str()).ok();
        }
        if let Ok(Value::Int(off)) = aio_vm::module::getattr(vm, v, "tm_gmtoff") {
            tm.tm_gmtoff = off as _;
        }
    }
    if let Some(z) = &zone {
        tm.tm_zone = z.as_ptr();
    }
    Ok((tm, zone))
}

/// CPython's `checktm`, normalising the zero month/day/yday as it does.
fn check_tm(vm: &mut Vm, tm: &mut libc::tm) -> PyResult<()> {
    let err = |vm: &mut Vm, m: &str| Err(vm.new_value_error(m));
    if tm.tm_mon == -1 {
        tm.tm_mon = 0;
    } else if !(0..=11).contains(&tm.tm_mon) {
        return err(vm, "month out of range");
    }
    if tm.tm_mday == 0 {
        tm.tm_mday = 1;
    } else if !(0..=31).contains(&tm.tm_mday) {
        return err(vm, "day of month out of range");
    }
    if !(0..=23).contains(&tm.tm_hour) {
        return err(vm, "hour out of range");
    }
    if !(0..=59).contains(&tm.tm_min) {
        return err(vm, "minute out of range");
    }
    if !(0..=61).contains(&tm.tm_sec) {
        return err(vm, "seconds out of range");
    }
    if tm.tm_wday < 0 {
        return err(vm, "day of week out of range");
    }
    if tm.tm_yday == -1 {
        tm.tm_yday = 0;
    } else if !(0..=365).contains(&tm.tm_yday) {
        return err(vm, "day of year out of range");
    }
    Ok(())
}

fn time_strftime(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "strftime")?;
    a.check_count(vm, "strftime", 1, 2)?;
    let Some(fmt) = a.pos[0].as_str().cloned() else {
        return Err(vm.new_type_error(format!(
            "strftime() argument 1 must be str, not {}",
            vm.type_name(&a.pos[0])
        )));
    };
    let (mut tm, _zone) = match a.get(1) {
        Some(t) => {
            let (mut tm, z) = tm_arg(vm, t, "strftime")?;
            check_tm(vm, &mut tm)?;
            (tm, z)
        }
        None => {
            let now = seconds_arg(vm, None)?;
            (local(vm, now)?, None)
        }
    };
    tm.tm_isdst = tm.tm_isdst.clamp(-1, 1);
    if fmt.as_str().contains('\0') {
        return Err(vm.new_value_error("embedded null character"));
    }
    let Ok(cfmt) = CString::new(fmt.as_str()) else {
        return Err(vm.new_value_error("embedded null character"));
    };
    if fmt.as_str().is_empty() {
        return Ok(Value::str(""));
    }
    let mut size = 1024usize;
    loop {
        let mut buf = vec![0u8; size];
        // SAFETY: `buf` has `size` writable bytes; `cfmt` and `tm` are valid.
        let n = unsafe {
            libc::strftime(
                buf.as_mut_ptr() as *mut libc::c_char,
                size,
                cfmt.as_ptr(),
                &tm,
            )
        };
        if n > 0 || size >= 256 * fmt.as_str().len().max(1) {
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
        1900 + tm.tm_year as i64
    )
}

fn time_asctime(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "asctime")?;
    a.check_count(vm, "asctime", 0, 1)?;
    let tm = match a.get(0) {
        Some(t) => {
            let (mut tm, _) = tm_arg(vm, t, "asctime")?;
            check_tm(vm, &mut tm)?;
            tm
        }
        None => {
            let now = seconds_arg(vm, None)?;
            local(vm, now)?
        }
    };
    Ok(Value::str(asctime_of(&tm)))
}

fn time_ctime(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "ctime")?;
    a.check_count(vm, "ctime", 0, 1)?;
    let t = seconds_arg(vm, a.get(0))?;
    let tm = local(vm, t)?;
    Ok(Value::str(asctime_of(&tm)))
}

fn time_mktime(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "mktime")?;
    a.check_count(vm, "mktime", 1, 1)?;
    let (mut tm, _z) = tm_arg(vm, &a.pos[0], "mktime")?;
    tm.tm_wday = -1;
    // SAFETY: `tm` is a valid, initialised struct.
    let t = unsafe { libc::mktime(&mut tm) };
    if t == -1 && tm.tm_wday == -1 {
        return Err(vm.new_overflow_error("mktime argument out of range"));
    }
    Ok(Value::float(t as f64))
}

fn struct_time_new(vm: &mut Vm, a: Args) -> PyResult {
    a.check_kwargs(vm, "struct_time", &["sequence", "dict"])?;
    let cls = match a.pos.first() {
        Some(Value::Obj(c)) => c.clone(),
        _ => return Err(vm.new_type_error("struct_time.__new__(X): X is not a type object")),
    };
    let Some(seq) = a.arg(1, "sequence").cloned() else {
        return Err(vm.new_type_error("struct_time() missing required argument 'sequence' (pos 1)"));
    };
    let items = vm.collect(&seq)?;
    let n = items.len();
    if n < 9 {
        return Err(vm.new_type_error(format!(
            "time.struct_time() takes an at least 9-sequence ({n}-sequence given)"
        )));
    }
    if n > 11 {
        return Err(vm.new_type_error(format!(
            "time.struct_time() takes an at most 11-sequence ({n}-sequence given)"
        )));
    }
    let zone = items.get(9).cloned().unwrap_or(Value::None);
    let off = items.get(10).cloned().unwrap_or(Value::None);
    build_struct_time(vm, &cls, items[..9].to_vec(), zone, off)
}

fn struct_time_repr(vm: &mut Vm, a: Args) -> PyResult {
    let s = a.pos[0].clone();
    let items = sequence_items(&s).unwrap_or_default();
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

fn struct_time_reduce(vm: &mut Vm, a: Args) -> PyResult {
    let s = a.pos[0].clone();
    let items = sequence_items(&s).unwrap_or_default();
    let cls = vm.class_of(&s).clone();
    let t = vm.new_tuple(items);
    let args = vm.new_tuple(vec![t]);
    Ok(vm.new_tuple(vec![Value::Obj(cls), args]))
}

/// `timezone`, `altzone`, `daylight` and `tzname` as CPython computes them: from the local
/// offsets in January and July of the current year.
fn zone_constants(vm: &mut Vm) -> PyResult<(i64, i64, bool, (String, String))> {
    const YEAR: i64 = (365 * 24 + 6) * 3600;
    let now = (clock_ns(libc::CLOCK_REALTIME) / 1_000_000_000) as i64;
    let jan_t = (now / YEAR) * YEAR;
    let name = |tm: &libc::tm| {
        if tm.tm_zone.is_null() {
            String::new()
        } else {
            // SAFETY: the C library set a NUL-terminated zone name.
            unsafe { CStr::from_ptr(tm.tm_zone) }
                .to_string_lossy()
                .into_owned()
        }
    };
    let jan = local(vm, jan_t as libc::time_t)?;
    let jul = local(vm, (jan_t + YEAR / 2) as libc::time_t)?;
    let (janoff, juloff) = (-(jan.tm_gmtoff as i64), -(jul.tm_gmtoff as i64));
    let (jn, jl) = (name(&jan), name(&jul));
    Ok(if janoff < juloff {
        (juloff, janoff, janoff != juloff, (jl, jn))
    } else {
        (janoff, juloff, janoff != juloff, (jn, jl))
    })
}

/// Builds the `time` module.
/// `time.sleep` on an executor's worker thread (arguments as plain data).
fn sleep_on_worker(
    args: Vec<crate::asyncio::threads::SendValue>,
) -> Result<crate::asyncio::threads::SendValue, crate::asyncio::threads::SendError> {
    use crate::asyncio::threads::{SendError, SendValue};
    let secs = match args.as_slice() {
        [SendValue::Int(i)] => *i as f64,
        [SendValue::Float(f)] => *f,
        [SendValue::Bool(b)] => *b as i64 as f64,
        [other] => {
            let name = match other {
                SendValue::None => "NoneType",
                SendValue::Str(_) => "str",
                SendValue::Bytes(_) => "bytes",
                SendValue::Tuple(_) => "tuple",
                _ => "list",
            };
            return Err(SendError::new(
                "TypeError",
                format!("'{name}' object cannot be interpreted as an integer"),
            ));
        }
        _ => {
            return Err(SendError::new(
                "TypeError",
                format!(
                    "time.sleep() takes exactly one argument ({} given)",
                    args.len()
                ),
            ))
        }
    };
    if secs.is_nan() || secs < 0.0 {
        return Err(SendError::new(
            "ValueError",
            "sleep length must be non-negative",
        ));
    }
    std::thread::sleep(std::time::Duration::from_secs_f64(secs.min(1e9)));
    Ok(SendValue::None)
}

/// Initialises the `time` module.
pub fn init(vm: &mut Vm, module: &Obj) -> PyResult<()> {
    // SAFETY: reads the TZ environment variable into the C library's zone state.
    unsafe { tzset() };
    let mut b = ModuleBuilder::new(vm, module);
    let fns: &[(&str, aio_vm::native::NativeFn)] = &[
        ("time", time_time),
        ("time_ns", time_time_ns),
        ("monotonic", time_monotonic),
        ("monotonic_ns", time_monotonic_ns),
        ("perf_counter", time_perf_counter),
        ("perf_counter_ns", time_perf_counter_ns),
        ("process_time", time_process_time),
        ("process_time_ns", time_process_time_ns),
        ("sleep", time_sleep),
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
    // `asyncio.to_thread(time.sleep, s)` sleeps on a worker thread.
    if let Some(sleep) = b.get("sleep") {
        crate::asyncio::threads::register_thread_safe(&sleep, std::sync::Arc::new(sleep_on_worker));
    }
    let tuple = b.vm().types.tuple.clone();
    let mut c = b.class_with_bases("struct_time", &[tuple]);
    c.constructor(struct_time_new)
        .method("__repr__", struct_time_repr)
        .method("__reduce__", struct_time_reduce)
        .attr("n_sequence_fields", 9i64)
        .attr("n_fields", 11i64)
        .attr("n_unnamed_fields", 0i64);
    c.finish();
    let (tz, alt, daylight, (n0, n1)) = zone_constants(b.vm())?;
    let names = b.vm().new_tuple(vec![Value::str(n0), Value::str(n1)]);
    b.constant("timezone", tz)
        .constant("altzone", alt)
        .constant("daylight", daylight as i64)
        .set("tzname", names);
    Ok(())
}

extern "C" {
    fn tzset();
}
