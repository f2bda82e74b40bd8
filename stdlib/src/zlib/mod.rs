//! `zlib`, native: a port of CPython 3.11's `zlibmodule.c` over the zlib C library itself
//! (`libz-sys`, building its bundled zlib 1.2.13, the release CPython links here), so that
//! compressed bytes are CPython's: `compress`, `decompress`, `compressobj` and
//! `decompressobj` (the `Compress` and `Decompress` classes of `objects.rs`), `crc32`,
//! `adler32`, `error`, the constants and `ZLIB_VERSION`/`ZLIB_RUNTIME_VERSION`. `stream.rs`
//! owns the `z_stream` and grows output as CPython does.

mod objects;
mod stream;

use aio_vm::builtins::{bytes_like, module_native};
use aio_vm::module::{new_bytes, new_class, to_index, ModuleBuilder};
use aio_vm::native::{Args, NativeImpl};
use aio_vm::{Obj, PyResult, Value, Vm};
use libz_sys as z;
use num_traits::ToPrimitive;
use std::os::raw::c_int;
use std::rc::Rc;
use stream::{Input, NoMemory, OutBuf, Stream};

/// `DEFLATED`, the one compression method.
const DEFLATED: c_int = 8;
/// `DEF_MEM_LEVEL`.
const DEF_MEM_LEVEL: c_int = 8;
/// `DEF_BUF_SIZE`, the first output block of `decompress` and `Decompress.flush`.
const DEF_BUF_SIZE: i64 = 16 * 1024;
/// `MAX_WBITS`.
const MAX_WBITS: c_int = 15;

/// What the module's functions and objects need: the classes they make and raise.
pub(crate) struct Classes {
    error: Obj,
    compress: Obj,
    decompress: Obj,
}

/// A function of the module, given its classes.
type ZFn = fn(&mut Vm, Args, &Rc<Classes>) -> PyResult;

/// Initialises `zlib`.
pub fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    let exception = vm.exc.exception.clone();
    let error = new_class(vm, "zlib", "error", &[exception]);
    let (compress_cls, decompress_cls) = objects::classes(vm);
    let classes = Rc::new(Classes {
        error: error.clone(),
        compress: compress_cls,
        decompress: decompress_cls,
    });
    let table: [(&str, ZFn); 6] = [
        ("adler32", adler32),
        ("compress", compress),
        ("compressobj", objects::compressobj),
        ("crc32", crc32),
        ("decompress", decompress),
        ("decompressobj", objects::decompressobj),
    ];
    let mut b = ModuleBuilder::new(vm, m);
    for (name, f) in table {
        let c = classes.clone();
        let imp = NativeImpl::Closure(Rc::new(move |vm: &mut Vm, a: Args<'_>| f(vm, a, &c)));
        let v = module_native(b.vm(), "zlib", name, imp);
        b.set(name, v);
    }
    let ints: [(&str, c_int); 20] = [
        ("MAX_WBITS", MAX_WBITS),
        ("DEFLATED", DEFLATED),
        ("DEF_MEM_LEVEL", DEF_MEM_LEVEL),
        ("DEF_BUF_SIZE", DEF_BUF_SIZE as c_int),
        ("Z_NO_COMPRESSION", z::Z_NO_COMPRESSION),
        ("Z_BEST_SPEED", z::Z_BEST_SPEED),
        ("Z_BEST_COMPRESSION", z::Z_BEST_COMPRESSION),
        ("Z_DEFAULT_COMPRESSION", z::Z_DEFAULT_COMPRESSION),
        ("Z_FILTERED", z::Z_FILTERED),
        ("Z_HUFFMAN_ONLY", z::Z_HUFFMAN_ONLY),
        ("Z_RLE", z::Z_RLE),
        ("Z_FIXED", z::Z_FIXED),
        ("Z_DEFAULT_STRATEGY", z::Z_DEFAULT_STRATEGY),
        ("Z_NO_FLUSH", z::Z_NO_FLUSH),
        ("Z_PARTIAL_FLUSH", z::Z_PARTIAL_FLUSH),
        ("Z_SYNC_FLUSH", z::Z_SYNC_FLUSH),
        ("Z_FULL_FLUSH", z::Z_FULL_FLUSH),
        ("Z_FINISH", z::Z_FINISH),
        ("Z_BLOCK", z::Z_BLOCK),
        ("Z_TREES", z::Z_TREES),
    ];
    for (name, v) in ints {
        b.constant(name, i64::from(v));
    }
    let version = library_version();
    b.set("error", Value::Obj(error))
        .constant("ZLIB_VERSION", version.as_str())
        .constant("ZLIB_RUNTIME_VERSION", version.as_str())
        .constant("__version__", "1.0");
    Ok(())
}

/// The version of the zlib linked in (`zlibVersion()`).
fn library_version() -> String {
    // SAFETY: zlib returns a static NUL-terminated string.
    let v = unsafe { std::ffi::CStr::from_ptr(z::zlibVersion()) };
    v.to_string_lossy().into_owned()
}

/// CPython's `zlib_error`: `zlib.error("Error CODE WHAT: MESSAGE")`, the message zlib's
/// own (`msg`) or the one CPython gives for the code.
fn zlib_error(vm: &mut Vm, c: &Classes, code: c_int, msg: Option<String>, what: &str) -> Obj {
    let msg = if code == z::Z_VERSION_ERROR {
        Some("library version mismatch".to_string())
    } else {
        msg.or_else(|| {
            match code {
                z::Z_BUF_ERROR => Some("incomplete or truncated stream"),
                z::Z_STREAM_ERROR => Some("inconsistent stream state"),
                z::Z_DATA_ERROR => Some("invalid input data"),
                _ => None,
            }
            .map(str::to_string)
        })
    };
    let text = match msg {
        Some(m) => format!("Error {code} {what}: {m}"),
        None => format!("Error {code} {what}"),
    };
    vm.new_exception_msg(&c.error, text)
}

/// `MemoryError(msg)`.
fn memory_error(vm: &mut Vm, msg: &str) -> Obj {
    let cls = vm.exc.memory_error.clone();
    vm.new_exception_msg(&cls, msg)
}

/// The `MemoryError` of an output buffer that could not grow.
fn no_memory(vm: &mut Vm, _: NoMemory) -> Obj {
    memory_error(vm, "Unable to allocate output buffer.")
}

/// A C `int` argument, as Argument Clinic's `int` converter reads it.
fn c_int_arg(vm: &mut Vm, v: Option<&Value>, default: c_int) -> PyResult<c_int> {
    clinic_int(vm, v, default, "C int", |n| n.to_i32())
}

/// A `Py_ssize_t` argument, as Argument Clinic's converter reads it.
fn ssize_arg(vm: &mut Vm, v: Option<&Value>, default: i64) -> PyResult<i64> {
    clinic_int(vm, v, default, "C ssize_t", |n| n.to_i64())
}

/// An integer argument as Argument Clinic reads it: `default` when absent, floats refused,
/// then `fit` into the C type `ctype` (named by the overflow message).
fn clinic_int<T>(
    vm: &mut Vm,
    v: Option<&Value>,
    default: T,
    ctype: &str,
    fit: impl FnOnce(&num_bigint::BigInt) -> Option<T>,
) -> PyResult<T> {
    let Some(v) = v else {
        return Ok(default);
    };
    if matches!(v, Value::Float(_)) {
        return Err(vm.new_type_error("'float' object cannot be interpreted as an integer"));
    }
    fit(&to_index(vm, v)?)
        .ok_or_else(|| vm.new_overflow_error(format!("Python int too large to convert to {ctype}")))
}

/// Deflates the input `s` holds with `flush` until zlib leaves room in the output (the
/// inner loop of CPython's compressing functions): zlib's last code.
fn deflate_pending(s: &mut Stream, out: &mut OutBuf, flush: c_int) -> Result<c_int, NoMemory> {
    loop {
        if s.avail_out() == 0 {
            out.grow(s)?;
        }
        let err = s.step(flush);
        out.commit(s);
        if err == z::Z_STREAM_ERROR || s.avail_out() != 0 {
            return Ok(err);
        }
    }
}

/// Deflates all of `data` through `s` into `out`, finishing the stream when `finish`:
/// zlib's last code.
fn deflate_all(
    s: &mut Stream,
    out: &mut OutBuf,
    data: &[u8],
    finish: bool,
) -> Result<c_int, NoMemory> {
    let mut input = Input::new(data);
    loop {
        let more = input.next_chunk(s);
        let flush = if finish && !more {
            z::Z_FINISH
        } else {
            z::Z_NO_FLUSH
        };
        let err = deflate_pending(s, out, flush)?;
        if err == z::Z_STREAM_ERROR || !more {
            return Ok(err);
        }
    }
}

/// `compress(data, /, level=Z_DEFAULT_COMPRESSION, wbits=MAX_WBITS)`.
fn compress(vm: &mut Vm, a: Args, c: &Rc<Classes>) -> PyResult {
    let [data, level, wbits] = a.clinic(vm, "compress", 1, 1, ["data", "level", "wbits"])?;
    let data = bytes_like(vm, data.as_ref().unwrap_or(&Value::None))?;
    let level = c_int_arg(vm, level.as_ref(), z::Z_DEFAULT_COMPRESSION)?;
    let wbits = c_int_arg(vm, wbits.as_ref(), MAX_WBITS)?;
    let mut s = match Stream::deflate(level, DEFLATED, wbits, DEF_MEM_LEVEL, 0) {
        Ok(s) => s,
        Err((z::Z_MEM_ERROR, _)) => {
            return Err(memory_error(vm, "Out of memory while compressing data"))
        }
        Err((z::Z_STREAM_ERROR, _)) => {
            return Err(vm.new_exception_msg(&c.error, "Bad compression level"))
        }
        Err((code, msg)) => return Err(zlib_error(vm, c, code, msg, "while compressing data")),
    };
    let mut out = OutBuf::new(&mut s, None).map_err(|e| no_memory(vm, e))?;
    let err = deflate_all(&mut s, &mut out, &data, true).map_err(|e| no_memory(vm, e))?;
    if err == z::Z_STREAM_ERROR {
        let msg = s.message();
        return Err(zlib_error(vm, c, err, msg, "while compressing data"));
    }
    let err = s.end();
    if err != z::Z_OK {
        let msg = s.message();
        return Err(zlib_error(vm, c, err, msg, "while finishing compression"));
    }
    Ok(new_bytes(vm, out.finish()))
}

/// `decompress(data, /, wbits=MAX_WBITS, bufsize=DEF_BUF_SIZE)`.
fn decompress(vm: &mut Vm, a: Args, c: &Rc<Classes>) -> PyResult {
    let [data, wbits, bufsize] = a.clinic(vm, "decompress", 1, 1, ["data", "wbits", "bufsize"])?;
    let data = bytes_like(vm, data.as_ref().unwrap_or(&Value::None))?;
    let wbits = c_int_arg(vm, wbits.as_ref(), MAX_WBITS)?;
    let bufsize = ssize_arg(vm, bufsize.as_ref(), DEF_BUF_SIZE)?;
    if bufsize < 0 {
        return Err(vm.new_value_error("bufsize must be non-negative"));
    }
    let mut s = match Stream::inflate(wbits) {
        Ok(s) => s,
        Err((z::Z_MEM_ERROR, _)) => {
            return Err(memory_error(vm, "Out of memory while decompressing data"))
        }
        Err((code, msg)) => {
            return Err(zlib_error(
                vm,
                c,
                code,
                msg,
                "while preparing to decompress data",
            ))
        }
    };
    let size = (bufsize as usize).max(1);
    let mut out = OutBuf::with_size(&mut s, size).map_err(|e| no_memory(vm, e))?;
    let mut input = Input::new(&data);
    let mut err;
    loop {
        let more = input.next_chunk(&mut s);
        let flush = if more { z::Z_NO_FLUSH } else { z::Z_FINISH };
        loop {
            if s.avail_out() == 0 {
                out.grow(&mut s).map_err(|e| no_memory(vm, e))?;
            }
            err = s.step(flush);
            out.commit(&s);
            match err {
                z::Z_OK | z::Z_BUF_ERROR | z::Z_STREAM_END => {}
                z::Z_MEM_ERROR => {
                    return Err(memory_error(vm, "Out of memory while decompressing data"))
                }
                _ => {
                    let msg = s.message();
                    return Err(zlib_error(vm, c, err, msg, "while decompressing data"));
                }
            }
            if s.avail_out() != 0 {
                break;
            }
        }
        if err == z::Z_STREAM_END || !more {
            break;
        }
    }
    if err != z::Z_STREAM_END {
        let msg = s.message();
        return Err(zlib_error(vm, c, err, msg, "while decompressing data"));
    }
    let err = s.end();
    if err != z::Z_OK {
        let msg = s.message();
        return Err(zlib_error(vm, c, err, msg, "while finishing decompression"));
    }
    Ok(new_bytes(vm, out.finish()))
}

/// The checksum functions' `(data, value, /)` arguments: the data and the start value
/// (`unsigned_int(bitwise=True)`: any int, reduced modulo 2**32).
fn checksum_args(vm: &mut Vm, a: &Args, fname: &str, start: u32) -> PyResult<(Vec<u8>, u32)> {
    a.no_kwargs(vm, &format!("zlib.{fname}"))?;
    a.check_count(vm, fname, 1, 2)?;
    let data = bytes_like(vm, &a.pos[0])?;
    let value = match a.pos.get(1) {
        Some(v) => crate::binascii::crc_arg(vm, v)?,
        None => start,
    };
    Ok((data, value))
}

/// `crc32(data, value=0, /)`.
fn crc32(vm: &mut Vm, a: Args, _c: &Rc<Classes>) -> PyResult {
    let (data, mut value) = checksum_args(vm, &a, "crc32", 0)?;
    for chunk in data.chunks(u32::MAX as usize) {
        // SAFETY: zlib reads `chunk.len()` bytes of `chunk`.
        value = unsafe { z::crc32(value.into(), chunk.as_ptr(), chunk.len() as u32) } as u32;
    }
    Ok(Value::Int(i64::from(value)))
}

/// `adler32(data, value=1, /)`.
fn adler32(vm: &mut Vm, a: Args, _c: &Rc<Classes>) -> PyResult {
    let (data, mut value) = checksum_args(vm, &a, "adler32", 1)?;
    for chunk in data.chunks(u32::MAX as usize) {
        // SAFETY: as in `crc32`.
        value = unsafe { z::adler32(value.into(), chunk.as_ptr(), chunk.len() as u32) } as u32;
    }
    Ok(Value::Int(i64::from(value)))
}
