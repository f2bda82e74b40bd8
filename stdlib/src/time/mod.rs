//! The `time` module: clocks and `sleep` (`clocks.rs`), calendar conversions through the C
//! library with `struct_time` (`tm.rs`: `gmtime`, `localtime`, `mktime`, `strftime`,
//! `asctime`, `ctime`), `strptime` (`strptime.rs`), and the zone constants (`timezone`,
//! `altzone`, `daylight`, `tzname`) that `tzset` recomputes; CPython's argument checks and
//! messages throughout.

mod clocks;
mod date;
mod strptime;
mod timere;
mod tm;

pub use clocks::{monotonic, seconds_ns};
pub use strptime::strptime_parts;

use aio_vm::module::{to_index, ModuleBuilder};
use aio_vm::native::Args;
use aio_vm::{Obj, PyResult, Value, Vm};
use num_traits::ToPrimitive;

/// A clock's reading in nanoseconds (0 when the clock does not exist).
fn clock_ns(clock: libc::clockid_t) -> i128 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid out-pointer.
    unsafe { libc::clock_gettime(clock, &mut ts) };
    ts.tv_sec as i128 * 1_000_000_000 + ts.tv_nsec as i128
}

/// A C `int` argument as `PyArg_ParseTuple`'s `i` converts it.
fn c_int(vm: &mut Vm, v: &Value) -> PyResult<i32> {
    let n = to_index(vm, v)?;
    let Some(l) = n.to_i64() else {
        return Err(vm.new_overflow_error("Python int too large to convert to C long"));
    };
    i32::try_from(l).map_err(|_| {
        vm.new_overflow_error(if l > 0 {
            "signed integer is greater than maximum"
        } else {
            "signed integer is less than minimum"
        })
    })
}

/// Checks the positional count with `PyArg_ParseTuple`'s wording (`gmtime() takes at most 1
/// argument (2 given)`).
fn parse_count(vm: &mut Vm, a: &Args, fname: &str, min: usize, max: usize) -> PyResult<()> {
    let n = a.pos.len();
    if (min..=max).contains(&n) {
        return Ok(());
    }
    let (how, k) = match () {
        _ if min == max => ("exactly", min),
        _ if n < min => ("at least", min),
        _ => ("at most", max),
    };
    let s = if k == 1 { "" } else { "s" };
    Err(vm.new_type_error(format!("{fname}() takes {how} {k} argument{s} ({n} given)")))
}

/// The `time` module object.
fn time_module(vm: &mut Vm) -> PyResult<Value> {
    let m = vm.intern("time");
    let modules = vm.modules.clone();
    vm.dict_get_str(&modules, &m)
        .ok_or_else(|| vm.new_runtime_error("time module not initialised"))
}

/// `timezone`, `altzone`, `daylight` and `tzname` as CPython computes them with glibc: from
/// the local offsets in January and July of the current year.
fn zone_constants(vm: &mut Vm) -> PyResult<(i64, i64, bool, (String, String))> {
    const YEAR: i64 = (365 * 24 + 6) * 3600;
    const MAX_TIMEZONE: i64 = 48 * 3600;
    let now = (clock_ns(libc::CLOCK_REALTIME) / 1_000_000_000) as i64;
    let jan_t = (now / YEAR) * YEAR;
    let jan = tm::broken_down(vm, jan_t as libc::time_t, false)?;
    let jul = tm::broken_down(vm, (jan_t + YEAR / 2) as libc::time_t, false)?;
    let name = |tm: &libc::tm| {
        let mut z = tm::zone_name(tm).unwrap_or_else(|| "   ".into());
        while z.len() > 9 {
            z.pop();
        }
        z
    };
    let (janoff, juloff) = (-jan.tm_gmtoff, -jul.tm_gmtoff);
    if janoff.abs() > MAX_TIMEZONE || juloff.abs() > MAX_TIMEZONE {
        return Err(vm.new_runtime_error("invalid GMT offset"));
    }
    let (jn, jl) = (name(&jan), name(&jul));
    Ok(if janoff < juloff {
        (juloff, janoff, true, (jl, jn))
    } else {
        (janoff, juloff, janoff != juloff, (jn, jl))
    })
}

/// Reads `TZ` into the C library and sets the zone constants of module `m`.
fn set_zone(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    // SAFETY: reads the TZ environment variable into the C library's zone state.
    unsafe { tzset() };
    let (tz, alt, daylight, (n0, n1)) = zone_constants(vm)?;
    let names = vm.new_tuple(vec![Value::str(n0), Value::str(n1)]);
    let Some(g) = vm.module_globals(m) else {
        return Ok(());
    };
    vm.dict_set_str(&g, "timezone", Value::Int(tz));
    vm.dict_set_str(&g, "altzone", Value::Int(alt));
    vm.dict_set_str(&g, "daylight", Value::Int(daylight as i64));
    vm.dict_set_str(&g, "tzname", names);
    Ok(())
}

fn time_tzset(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "time.tzset")?;
    a.check_count(vm, "time.tzset", 0, 0)?;
    if let Value::Obj(m) = time_module(vm)? {
        set_zone(vm, &m)?;
    }
    Ok(Value::None)
}

/// Initialises the `time` module.
pub fn init(vm: &mut Vm, module: &Obj) -> PyResult<()> {
    let mut b = ModuleBuilder::new(vm, module);
    clocks::register(&mut b);
    tm::register(&mut b);
    b.function("strptime", strptime::time_strptime)
        .function("tzset", time_tzset)
        .constant("_STRUCT_TM_ITEMS", 11i64);
    set_zone(vm, module)
}

extern "C" {
    fn tzset();
}
