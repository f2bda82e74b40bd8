//! The clocks (`time`, `monotonic`, `perf_counter`, `process_time`, `thread_time`, their
//! `_ns` forms, `clock_gettime`, `clock_getres`, `get_clock_info`) and `sleep`.

use super::{c_int, clock_ns, parse_count};
use aio_vm::module::{int_value, to_f64, to_index, ModuleBuilder};
use aio_vm::native::Args;
use aio_vm::{PyResult, Value, Vm};
use num_bigint::BigInt;
use num_traits::ToPrimitive;

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
                a.no_kwargs(vm, concat!("time.", $name))?;
                a.check_count(vm, concat!("time.", $name), 0, 0)?;
                Ok(Value::float(ns_to_secs(clock_ns($clock))))
            }

            fn $fns(vm: &mut Vm, a: Args) -> PyResult {
                a.no_kwargs(vm, concat!("time.", $name, "_ns"))?;
                a.check_count(vm, concat!("time.", $name, "_ns"), 0, 0)?;
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
    time_thread_time, time_thread_time_ns, "thread_time", libc::CLOCK_THREAD_CPUTIME_ID;
}

/// `time.monotonic()`: `CLOCK_MONOTONIC` in seconds. It is also the event loop's clock
/// (`loop.time()`), so deadlines from either one compare, as in CPython.
pub fn monotonic() -> f64 {
    ns_to_secs(clock_ns(libc::CLOCK_MONOTONIC))
}

/// `get_clock_info` names: the clock, its C name, monotonic, adjustable.
const CLOCKS: [(&str, libc::clockid_t, &str, bool, bool); 5] = [
    ("time", libc::CLOCK_REALTIME, "CLOCK_REALTIME", false, true),
    (
        "monotonic",
        libc::CLOCK_MONOTONIC,
        "CLOCK_MONOTONIC",
        true,
        false,
    ),
    (
        "perf_counter",
        libc::CLOCK_MONOTONIC,
        "CLOCK_MONOTONIC",
        true,
        false,
    ),
    (
        "process_time",
        libc::CLOCK_PROCESS_CPUTIME_ID,
        "CLOCK_PROCESS_CPUTIME_ID",
        true,
        false,
    ),
    (
        "thread_time",
        libc::CLOCK_THREAD_CPUTIME_ID,
        "CLOCK_THREAD_CPUTIME_ID",
        true,
        false,
    ),
];

/// `clock_gettime` (`res`: `clock_getres`) of a clock id, or CPython's `OSError`.
fn timespec(vm: &mut Vm, clock: libc::clockid_t, res: bool) -> PyResult<libc::timespec> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid out-pointer; a bad clock id only makes the call fail.
    let rc = unsafe {
        if res {
            libc::clock_getres(clock, &mut ts)
        } else {
            libc::clock_gettime(clock, &mut ts)
        }
    };
    if rc != 0 {
        return Err(crate::fs::os_error(vm, crate::fs::last_errno(), None, None));
    }
    Ok(ts)
}

fn ts_secs(ts: &libc::timespec) -> f64 {
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

/// The clock id argument of `clock_gettime`/`clock_gettime_ns`/`clock_getres` (`func`: the
/// name keyword errors show; `counted`: the name argument-count errors show, as CPython).
fn clock_arg(vm: &mut Vm, a: &Args, func: &str, counted: &str) -> PyResult<i32> {
    a.no_kwargs(vm, func)?;
    parse_count(vm, a, counted, 1, 1)?;
    c_int(vm, &a.pos[0])
}

fn time_clock_gettime(vm: &mut Vm, a: Args) -> PyResult {
    let clock = clock_arg(vm, &a, "clock_gettime", "clock_gettime")?;
    Ok(Value::float(ts_secs(&timespec(vm, clock as _, false)?)))
}

fn time_clock_gettime_ns(vm: &mut Vm, a: Args) -> PyResult {
    let clock = clock_arg(vm, &a, "clock_gettime_ns", "clock_gettime")?;
    let ts = timespec(vm, clock as _, false)?;
    let ns = ts.tv_sec as i128 * 1_000_000_000 + ts.tv_nsec as i128;
    Ok(int_value(vm, BigInt::from(ns)))
}

fn time_clock_getres(vm: &mut Vm, a: Args) -> PyResult {
    let clock = clock_arg(vm, &a, "clock_getres", "clock_getres")?;
    Ok(Value::float(ts_secs(&timespec(vm, clock as _, true)?)))
}

/// `get_clock_info(name)`: a `types.SimpleNamespace` describing the clock.
fn time_get_clock_info(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "get_clock_info")?;
    parse_count(vm, &a, "get_clock_info", 1, 1)?;
    let Some(name) = a.pos[0].as_str().cloned() else {
        return Err(vm.new_type_error(format!(
            "get_clock_info() argument 1 must be str, not {}",
            vm.type_name(&a.pos[0])
        )));
    };
    if name.as_str().contains('\0') {
        return Err(vm.new_value_error("embedded null character"));
    }
    let Some(&(_, clock, cname, monotonic, adjustable)) =
        CLOCKS.iter().find(|c| c.0 == name.as_str())
    else {
        return Err(vm.new_value_error("unknown clock"));
    };
    let resolution = ts_secs(&timespec(vm, clock, true)?);
    let types = vm.import_module("types")?;
    let namespace = aio_vm::module::getattr(vm, &types, "SimpleNamespace")?;
    let kw = [
        (
            "implementation",
            Value::str(format!("clock_gettime({cname})")),
        ),
        ("monotonic", Value::from(monotonic)),
        ("adjustable", Value::from(adjustable)),
        ("resolution", Value::float(resolution)),
    ];
    let kw: Vec<_> = kw.into_iter().map(|(k, v)| (vm.intern(k), v)).collect();
    vm.call(&namespace, &[], &kw)
}

/// Nanoseconds of a `sleep` argument or a timeout (CPython's `_PyTime_FromSecondsObject`,
/// rounding away from zero).
pub fn seconds_ns(vm: &mut Vm, v: &Value) -> PyResult<i64> {
    let float = vm.types.float.clone();
    if vm.isinstance(v, &float) {
        let d = to_f64(vm, v)?;
        if d.is_nan() {
            return Err(vm.new_value_error("Invalid value NaN (not a number)"));
        }
        let ns = d * 1e9;
        let ns = if ns >= 0.0 { ns.ceil() } else { ns.floor() };
        if !(-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&ns) {
            return Err(vm.new_overflow_error("timestamp out of range for platform time_t"));
        }
        return Ok(ns as i64);
    }
    let n = to_index(vm, v)?;
    n.to_i64()
        .and_then(|s| s.checked_mul(1_000_000_000))
        .ok_or_else(|| vm.new_overflow_error("timestamp too large to convert to C _PyTime_t"))
}

fn time_sleep(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "time.sleep")?;
    a.check_count(vm, "time.sleep", 1, 1)?;
    let ns = seconds_ns(vm, &a.pos[0])?;
    if ns < 0 {
        return Err(vm.new_value_error("sleep length must be non-negative"));
    }
    vm.flush_stdout();
    let d = std::time::Duration::from_nanos(ns as u64);
    if vm.thread_count() > 0 || vm.thread_ident() != aio_vm::threads::MAIN_THREAD {
        // Other threads run meanwhile (`_thread`).
        let deadline = std::time::Instant::now() + d;
        return vm.block_thread(Some(deadline), |_, timed_out| {
            timed_out.then_some(Ok(Value::None))
        });
    }
    vm.sleep(d)?;
    Ok(Value::None)
}

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

/// Registers the clocks, `sleep` and the `CLOCK_*` constants.
pub(super) fn register(b: &mut ModuleBuilder) {
    let fns: &[(&str, aio_vm::native::NativeFn)] = &[
        ("time", time_time),
        ("time_ns", time_time_ns),
        ("monotonic", time_monotonic),
        ("monotonic_ns", time_monotonic_ns),
        ("perf_counter", time_perf_counter),
        ("perf_counter_ns", time_perf_counter_ns),
        ("process_time", time_process_time),
        ("process_time_ns", time_process_time_ns),
        ("thread_time", time_thread_time),
        ("thread_time_ns", time_thread_time_ns),
        ("clock_gettime", time_clock_gettime),
        ("clock_gettime_ns", time_clock_gettime_ns),
        ("clock_getres", time_clock_getres),
        ("get_clock_info", time_get_clock_info),
        ("sleep", time_sleep),
    ];
    for (name, f) in fns {
        b.function(name, *f);
    }
    // `asyncio.to_thread(time.sleep, s)` sleeps on a worker thread.
    if let Some(sleep) = b.get("sleep") {
        crate::asyncio::threads::register_thread_safe(&sleep, std::sync::Arc::new(sleep_on_worker));
    }
    let mut clocks = vec![
        ("CLOCK_REALTIME", libc::CLOCK_REALTIME),
        ("CLOCK_MONOTONIC", libc::CLOCK_MONOTONIC),
        ("CLOCK_PROCESS_CPUTIME_ID", libc::CLOCK_PROCESS_CPUTIME_ID),
        ("CLOCK_THREAD_CPUTIME_ID", libc::CLOCK_THREAD_CPUTIME_ID),
    ];
    #[cfg(target_os = "linux")]
    clocks.extend([
        ("CLOCK_BOOTTIME", libc::CLOCK_BOOTTIME),
        ("CLOCK_MONOTONIC_RAW", libc::CLOCK_MONOTONIC_RAW),
        ("CLOCK_TAI", libc::CLOCK_TAI),
    ]);
    for (name, id) in clocks {
        b.constant(name, id as i64);
    }
}
