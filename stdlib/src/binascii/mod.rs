//! `binascii`, native (a port of CPython 3.11's `binascii.c`): hex (`hexlify`,
//! `unhexlify` and their `b2a_hex`/`a2b_hex` names, sharing `bytes.hex`'s separator code),
//! base64 lines (`b2a_base64` with `newline`, `a2b_base64` with `strict_mode`), `crc32`,
//! `crc_hqx`, uuencoded lines (`b2a_uu`, `a2b_uu`), and the exceptions `Error` (a
//! `ValueError`) and `Incomplete`. The qp and hqx codecs are not there.

mod base64;
mod crc;
mod uu;

use aio_vm::builtins::{bytes_like, hex_bytes, hex_sep, module_native};
use aio_vm::module::{new_bytes, new_class, to_index, ModuleBuilder};
use aio_vm::native::{Args, NativeImpl};
use aio_vm::{Obj, PyResult, Value, Vm};
use num_bigint::BigInt;
use num_traits::ToPrimitive;
use std::rc::Rc;

/// A function of the module: it gets the module's `Error` class to raise.
type BinFn = fn(&mut Vm, Args, &Obj) -> PyResult;

/// Initialises `binascii`.
pub fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    let value_error = vm.exc.value_error.clone();
    let exception = vm.exc.exception.clone();
    let error = new_class(vm, "binascii", "Error", &[value_error]);
    let incomplete = new_class(vm, "binascii", "Incomplete", &[exception]);
    let table: [(&str, BinFn); 10] = [
        ("a2b_base64", a2b_base64),
        ("a2b_hex", a2b_hex),
        ("a2b_uu", a2b_uu),
        ("b2a_uu", b2a_uu),
        ("b2a_base64", b2a_base64),
        ("b2a_hex", b2a_hex),
        ("crc32", crc32),
        ("crc_hqx", crc_hqx),
        ("hexlify", hexlify),
        ("unhexlify", unhexlify),
    ];
    let mut b = ModuleBuilder::new(vm, m);
    for (name, f) in table {
        let err = error.clone();
        let imp = NativeImpl::Closure(Rc::new(move |vm: &mut Vm, a: Args<'_>| f(vm, a, &err)));
        let v = module_native(b.vm(), "binascii", name, imp);
        b.set(name, v);
    }
    b.set("Error", Value::Obj(error))
        .set("Incomplete", Value::Obj(incomplete));
    Ok(())
}

/// An `ascii_buffer` argument (the `a2b_*` functions): an ASCII str or a bytes-like object.
fn ascii_buffer(vm: &mut Vm, v: &Value) -> PyResult<Vec<u8>> {
    if let Some(s) = v.as_str() {
        if !s.as_str().is_ascii() {
            return Err(vm.new_value_error("string argument should contain only ASCII characters"));
        }
        return Ok(s.as_str().as_bytes().to_vec());
    }
    aio_vm::builtins::bytes_of(v).ok_or_else(|| {
        let t = vm.type_name(v);
        vm.new_type_error(format!(
            "argument should be bytes, buffer or ASCII string, not '{t}'"
        ))
    })
}

/// An `unsigned int(bitwise=True)` argument: any int, reduced modulo 2**32.
pub(crate) fn crc_arg(vm: &mut Vm, v: &Value) -> PyResult<u32> {
    let n = to_index(vm, v)?;
    let m = BigInt::from(1u64 << 32);
    let r = ((n % &m) + &m) % &m;
    Ok(r.to_u32().unwrap_or(0))
}

/// A `bool(accept={int})` argument (`newline`, `strict_mode`): an int, nonzero for true.
fn int_flag(vm: &mut Vm, v: Option<&Value>, default: bool) -> PyResult<bool> {
    let Some(v) = v else {
        return Ok(default);
    };
    let n = to_index(vm, v)?;
    if n.to_i32().is_none() {
        return Err(vm.new_overflow_error("Python int too large to convert to C int"));
    }
    Ok(n != BigInt::from(0))
}

/// `b2a_hex(data, sep=None, bytes_per_sep=1)` under the name `fname`.
fn to_hex(vm: &mut Vm, a: Args, fname: &str) -> PyResult {
    let [data, sep, per] = a.clinic(vm, fname, 0, 1, ["data", "sep", "bytes_per_sep"])?;
    let data = bytes_like(vm, data.as_ref().unwrap_or(&Value::None))?;
    let sep = hex_sep(vm, sep.as_ref(), true)?;
    let per = match per {
        Some(v) => aio_vm::module::to_index_i64(vm, &v)?,
        None => 1,
    };
    Ok(new_bytes(vm, hex_bytes(&data, sep, per)))
}

fn hexlify(vm: &mut Vm, a: Args, _err: &Obj) -> PyResult {
    to_hex(vm, a, "hexlify")
}

fn b2a_hex(vm: &mut Vm, a: Args, _err: &Obj) -> PyResult {
    to_hex(vm, a, "b2a_hex")
}

/// `a2b_hex(hexstr, /)` under the name `fname`.
fn from_hex(vm: &mut Vm, a: Args, err: &Obj, fname: &str) -> PyResult {
    a.no_kwargs(vm, &format!("binascii.{fname}"))?;
    a.check_count(vm, &format!("binascii.{fname}"), 1, 1)?;
    let s = ascii_buffer(vm, &a.pos[0])?;
    if s.len() % 2 != 0 {
        return Err(vm.new_exception_msg(err, "Odd-length string"));
    }
    let mut out = Vec::with_capacity(s.len() / 2);
    for pair in s.chunks(2) {
        let digit = |c: u8| (c as char).to_digit(16);
        match (digit(pair[0]), digit(pair[1])) {
            (Some(hi), Some(lo)) => out.push((hi * 16 + lo) as u8),
            _ => return Err(vm.new_exception_msg(err, "Non-hexadecimal digit found")),
        }
    }
    Ok(new_bytes(vm, out))
}

fn unhexlify(vm: &mut Vm, a: Args, err: &Obj) -> PyResult {
    from_hex(vm, a, err, "unhexlify")
}

fn a2b_hex(vm: &mut Vm, a: Args, err: &Obj) -> PyResult {
    from_hex(vm, a, err, "a2b_hex")
}

/// The count check of a `(data, /, *, flag)` signature: CPython's parser first refuses
/// more than two arguments in all (left to [`Args::clinic`]), then any count of positional
/// arguments but one.
fn one_positional(vm: &mut Vm, a: &Args, fname: &str) -> PyResult<()> {
    let n = a.pos.len();
    if n != 1 && n + a.kw.len() <= 2 {
        return Err(vm.new_type_error(format!(
            "{fname}() takes exactly 1 positional argument ({n} given)"
        )));
    }
    Ok(())
}

/// `b2a_base64(data, /, *, newline=True)`.
fn b2a_base64(vm: &mut Vm, a: Args, _err: &Obj) -> PyResult {
    one_positional(vm, &a, "b2a_base64")?;
    let [data, newline] = a.clinic(vm, "b2a_base64", 1, 1, ["data", "newline"])?;
    let data = bytes_like(vm, data.as_ref().unwrap_or(&Value::None))?;
    let newline = int_flag(vm, newline.as_ref(), true)?;
    Ok(new_bytes(vm, base64::encode(&data, newline)))
}

/// `a2b_base64(data, /, *, strict_mode=False)`.
fn a2b_base64(vm: &mut Vm, a: Args, err: &Obj) -> PyResult {
    one_positional(vm, &a, "a2b_base64")?;
    let [data, strict] = a.clinic(vm, "a2b_base64", 1, 1, ["data", "strict_mode"])?;
    let data = ascii_buffer(vm, data.as_ref().unwrap_or(&Value::None))?;
    let strict = int_flag(vm, strict.as_ref(), false)?;
    match base64::decode(&data, strict) {
        Ok(out) => Ok(new_bytes(vm, out)),
        Err(e) => Err(vm.new_exception_msg(err, e.0)),
    }
}

/// `b2a_uu(data, /, *, backtick=False)`.
fn b2a_uu(vm: &mut Vm, a: Args, err: &Obj) -> PyResult {
    one_positional(vm, &a, "b2a_uu")?;
    let [data, backtick] = a.clinic(vm, "b2a_uu", 1, 1, ["data", "backtick"])?;
    let data = bytes_like(vm, data.as_ref().unwrap_or(&Value::None))?;
    let backtick = int_flag(vm, backtick.as_ref(), false)?;
    match uu::encode(&data, backtick) {
        Ok(out) => Ok(new_bytes(vm, out)),
        Err(e) => Err(vm.new_exception_msg(err, e.0)),
    }
}

/// `a2b_uu(data, /)`.
fn a2b_uu(vm: &mut Vm, a: Args, err: &Obj) -> PyResult {
    a.no_kwargs(vm, "binascii.a2b_uu")?;
    a.check_count(vm, "binascii.a2b_uu", 1, 1)?;
    let data = ascii_buffer(vm, &a.pos[0])?;
    match uu::decode(&data) {
        Ok(out) => Ok(new_bytes(vm, out)),
        Err(e) => Err(vm.new_exception_msg(err, e.0)),
    }
}

/// `crc32(data, crc=0, /)`.
fn crc32(vm: &mut Vm, a: Args, _err: &Obj) -> PyResult {
    a.no_kwargs(vm, "binascii.crc32")?;
    a.check_count(vm, "crc32", 1, 2)?;
    let data = bytes_like(vm, &a.pos[0])?;
    let crc = match a.pos.get(1) {
        Some(v) => crc_arg(vm, v)?,
        None => 0,
    };
    Ok(Value::Int(i64::from(crc::crc32(&data, crc))))
}

/// `crc_hqx(data, crc, /)`.
fn crc_hqx(vm: &mut Vm, a: Args, _err: &Obj) -> PyResult {
    a.no_kwargs(vm, "binascii.crc_hqx")?;
    a.check_count(vm, "crc_hqx", 2, 2)?;
    let data = bytes_like(vm, &a.pos[0])?;
    let crc = crc_arg(vm, &a.pos[1])? as u16;
    Ok(Value::Int(i64::from(crc::crc_hqx(&data, crc))))
}
