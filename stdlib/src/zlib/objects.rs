//! `zlib.Compress` and `zlib.Decompress`, the objects `compressobj()` and
//! `decompressobj()` make: a zlib stream each, with CPython's methods, attributes
//! (`unused_data`, `unconsumed_tail`, `eof`) and messages.

use super::stream::{Input, OutBuf, Stream, Z_NEED_DICT};
use super::{
    c_int_arg, deflate_all, deflate_pending, memory_error, no_memory, ssize_arg, zlib_error,
    Classes, DEFLATED, DEF_BUF_SIZE, DEF_MEM_LEVEL, MAX_WBITS,
};
use crate::native_class::{native_class, property};
use aio_vm::builtins::{bytes_like, bytes_of};
use aio_vm::module::{native_state, new_bytes, new_native_instance, ClassBuilder};
use aio_vm::native::Args;
use aio_vm::{Obj, PyResult, Value, Vm};
use libz_sys as z;
use std::cell::RefCell;
use std::rc::Rc;

/// The state of a `Compress` object.
struct Compressor {
    s: Stream,
    c: Rc<Classes>,
}

/// The state of a `Decompress` object.
struct Decompressor {
    s: Stream,
    c: Rc<Classes>,
    /// Input after the end of the stream (a `bytes`).
    unused_data: Value,
    /// Input left over when `max_length` stopped a call (a `bytes`).
    unconsumed_tail: Value,
    eof: bool,
    /// The dictionary, read again whenever zlib asks for it (as CPython's buffer).
    zdict: Option<Value>,
}

/// Makes the classes `zlib.Compress` and `zlib.Decompress` (not module attributes in 3.11).
pub(super) fn classes(vm: &mut Vm) -> (Obj, Obj) {
    let comp = native_class(vm, "zlib", "Compress");
    ClassBuilder::new(vm, &comp)
        .method("compress", comp_compress)
        .method("flush", comp_flush)
        .method("copy", comp_copy)
        .method("__copy__", comp_copy)
        .method("__deepcopy__", comp_deepcopy);
    let decomp = native_class(vm, "zlib", "Decompress");
    ClassBuilder::new(vm, &decomp)
        .method("decompress", decomp_decompress)
        .method("flush", decomp_flush)
        .method("copy", decomp_copy)
        .method("__copy__", decomp_copy)
        .method("__deepcopy__", decomp_deepcopy);
    let members: [(&str, aio_vm::native::NativeFn); 3] = [
        ("unused_data", get_unused_data),
        ("unconsumed_tail", get_unconsumed_tail),
        ("eof", get_eof),
    ];
    for (name, f) in members {
        property(vm, &decomp, name, f, false);
    }
    (comp, decomp)
}

/// `compressobj(level=-1, method=DEFLATED, wbits=MAX_WBITS, memLevel=DEF_MEM_LEVEL,
/// strategy=Z_DEFAULT_STRATEGY, zdict=None)`.
pub(super) fn compressobj(vm: &mut Vm, a: Args, c: &Rc<Classes>) -> PyResult {
    let params = ["level", "method", "wbits", "memLevel", "strategy", "zdict"];
    let [level, method, wbits, mem, strategy, zdict] = a.clinic(vm, "compressobj", 0, 0, params)?;
    let level = c_int_arg(vm, level.as_ref(), z::Z_DEFAULT_COMPRESSION)?;
    let method = c_int_arg(vm, method.as_ref(), DEFLATED)?;
    let wbits = c_int_arg(vm, wbits.as_ref(), MAX_WBITS)?;
    let mem = c_int_arg(vm, mem.as_ref(), DEF_MEM_LEVEL)?;
    let strategy = c_int_arg(vm, strategy.as_ref(), z::Z_DEFAULT_STRATEGY)?;
    let zdict = match zdict {
        Some(v) => Some(bytes_like(vm, &v)?),
        None => None,
    };
    let mut s = match Stream::deflate(level, method, wbits, mem, strategy) {
        Ok(s) => s,
        Err((z::Z_MEM_ERROR, _)) => {
            return Err(memory_error(
                vm,
                "Can't allocate memory for compression object",
            ))
        }
        Err((z::Z_STREAM_ERROR, _)) => {
            return Err(vm.new_value_error("Invalid initialization option"))
        }
        Err((code, msg)) => {
            return Err(zlib_error(
                vm,
                c,
                code,
                msg,
                "while creating compression object",
            ))
        }
    };
    if let Some(d) = zdict {
        match s.set_dictionary(&d) {
            z::Z_OK => {}
            z::Z_STREAM_ERROR => return Err(vm.new_value_error("Invalid dictionary")),
            _ => return Err(vm.new_value_error("deflateSetDictionary()")),
        }
    }
    let state = Compressor { s, c: c.clone() };
    Ok(new_native_instance(vm, &c.compress, state))
}

/// `decompressobj(wbits=MAX_WBITS, zdict=b'')`.
pub(super) fn decompressobj(vm: &mut Vm, a: Args, c: &Rc<Classes>) -> PyResult {
    let [wbits, zdict] = a.clinic(vm, "decompressobj", 0, 0, ["wbits", "zdict"])?;
    let wbits = c_int_arg(vm, wbits.as_ref(), MAX_WBITS)?;
    if let Some(d) = &zdict {
        if bytes_of(d).is_none() {
            return Err(vm.new_type_error("zdict argument must support the buffer protocol"));
        }
    }
    let s = match Stream::inflate(wbits) {
        Ok(s) => s,
        Err((z::Z_STREAM_ERROR, _)) => {
            return Err(vm.new_value_error("Invalid initialization option"))
        }
        Err((z::Z_MEM_ERROR, _)) => {
            return Err(memory_error(
                vm,
                "Can't allocate memory for decompression object",
            ))
        }
        Err((code, msg)) => {
            return Err(zlib_error(
                vm,
                c,
                code,
                msg,
                "while creating decompression object",
            ))
        }
    };
    let empty = new_bytes(vm, Vec::new());
    let mut state = Decompressor {
        s,
        c: c.clone(),
        unused_data: empty.clone(),
        unconsumed_tail: empty,
        eof: false,
        zdict,
    };
    // A raw stream never asks for its dictionary: it is set at once.
    if state.zdict.is_some() && wbits < 0 {
        set_inflate_zdict(vm, &mut state)?;
    }
    Ok(new_native_instance(vm, &c.decompress, state))
}

/// The arguments after `self` of a method declared with Argument Clinic.
fn method_args<const N: usize>(
    vm: &mut Vm,
    a: &Args,
    fname: &str,
    posonly: usize,
    required: usize,
    params: [&str; N],
) -> PyResult<[Option<Value>; N]> {
    let rest = Args {
        pos: &a.pos[1..],
        kw: a.kw,
    };
    if N == 0 && (!rest.pos.is_empty() || !rest.kw.is_empty()) {
        return Err(vm.new_type_error(format!("{fname}() takes no arguments")));
    }
    rest.clinic(vm, fname, posonly, required, params)
}

/// The state of a receiver of class `cls`, or the descriptor's `TypeError`.
fn receiver<'a, T: 'static>(
    vm: &mut Vm,
    v: &'a Value,
    method: &str,
    cls: &str,
) -> PyResult<&'a RefCell<T>> {
    native_state::<T>(v).ok_or_else(|| {
        let t = vm.type_name(v);
        vm.new_type_error(format!(
            "descriptor '{method}' for 'zlib.{cls}' objects doesn't apply to a '{t}' object"
        ))
    })
}

fn compressor<'a>(vm: &mut Vm, a: &Args<'a>, method: &str) -> PyResult<&'a RefCell<Compressor>> {
    receiver(vm, &a.pos[0], method, "Compress")
}

fn decompressor<'a>(
    vm: &mut Vm,
    a: &Args<'a>,
    method: &str,
) -> PyResult<&'a RefCell<Decompressor>> {
    receiver(vm, &a.pos[0], method, "Decompress")
}

/// `Compress.compress(data, /)`.
fn comp_compress(vm: &mut Vm, a: Args) -> PyResult {
    let st = compressor(vm, &a, "compress")?;
    let [data] = method_args(vm, &a, "compress", 1, 1, ["data"])?;
    let data = bytes_like(vm, data.as_ref().unwrap_or(&Value::None))?;
    let mut st = st.borrow_mut();
    let Compressor { s, c } = &mut *st;
    let mut out = OutBuf::new(s, None).map_err(|e| no_memory(vm, e))?;
    let err = deflate_all(s, &mut out, &data, false).map_err(|e| no_memory(vm, e))?;
    if err == z::Z_STREAM_ERROR {
        return Err(zlib_error(
            vm,
            c,
            err,
            s.message(),
            "while compressing data",
        ));
    }
    Ok(new_bytes(vm, out.finish()))
}

/// `Compress.flush(mode=Z_FINISH, /)`.
fn comp_flush(vm: &mut Vm, a: Args) -> PyResult {
    let st = compressor(vm, &a, "flush")?;
    let [mode] = method_args(vm, &a, "flush", 1, 0, ["mode"])?;
    let mode = c_int_arg(vm, mode.as_ref(), z::Z_FINISH)?;
    if mode == z::Z_NO_FLUSH {
        return Ok(new_bytes(vm, Vec::new()));
    }
    let mut st = st.borrow_mut();
    let Compressor { s, c } = &mut *st;
    Input::new(&[]).next_chunk(s);
    let mut out = OutBuf::new(s, None).map_err(|e| no_memory(vm, e))?;
    let err = deflate_pending(s, &mut out, mode).map_err(|e| no_memory(vm, e))?;
    if err == z::Z_STREAM_ERROR {
        return Err(zlib_error(vm, c, err, s.message(), "while flushing"));
    }
    if err == z::Z_STREAM_END && mode == z::Z_FINISH {
        let err = s.end();
        if err != z::Z_OK {
            return Err(zlib_error(
                vm,
                c,
                err,
                s.message(),
                "while finishing compression",
            ));
        }
    } else if err != z::Z_OK && err != z::Z_BUF_ERROR {
        return Err(zlib_error(vm, c, err, s.message(), "while flushing"));
    }
    Ok(new_bytes(vm, out.finish()))
}

/// The copy of a stream's state, or CPython's error for zlib's code.
fn copy_stream(vm: &mut Vm, s: &mut Stream, c: &Classes, what: &str) -> PyResult<Stream> {
    s.copy().map_err(|code| match code {
        z::Z_STREAM_ERROR => vm.new_value_error("Inconsistent stream state"),
        z::Z_MEM_ERROR => memory_error(vm, &format!("Can't allocate memory for {what} object")),
        _ => zlib_error(
            vm,
            c,
            code,
            s.message(),
            &format!("while copying {what} object"),
        ),
    })
}

/// A copy of a `Compress` receiver.
fn copy_compressor(vm: &mut Vm, a: &Args, method: &str) -> PyResult {
    let st = compressor(vm, a, method)?;
    let mut st = st.borrow_mut();
    let c = st.c.clone();
    let s = copy_stream(vm, &mut st.s, &c, "compression")?;
    let cls = c.compress.clone();
    Ok(new_native_instance(vm, &cls, Compressor { s, c }))
}

/// `Compress.copy()` and `Compress.__copy__()`.
fn comp_copy(vm: &mut Vm, a: Args) -> PyResult {
    method_args(vm, &a, "copy", 0, 0, [])?;
    copy_compressor(vm, &a, "copy")
}

/// `Compress.__deepcopy__(memo, /)`.
fn comp_deepcopy(vm: &mut Vm, a: Args) -> PyResult {
    method_args(vm, &a, "__deepcopy__", 1, 1, ["memo"])?;
    copy_compressor(vm, &a, "__deepcopy__")
}

/// CPython's `set_inflate_zdict`: gives zlib the dictionary.
fn set_inflate_zdict(vm: &mut Vm, d: &mut Decompressor) -> PyResult<()> {
    let dict = d.zdict.as_ref().and_then(bytes_of).unwrap_or_default();
    if u32::try_from(dict.len()).is_err() {
        return Err(vm.new_overflow_error("zdict length does not fit in an unsigned int"));
    }
    let err = d.s.set_dictionary(&dict);
    if err != z::Z_OK {
        return Err(zlib_error(
            vm,
            &d.c,
            err,
            d.s.message(),
            "while setting zdict",
        ));
    }
    Ok(())
}

/// CPython's `save_unconsumed_input`: the input after the stream's end joins
/// `unused_data`; input left over (or none, after some) becomes `unconsumed_tail`.
fn save_unconsumed_input(vm: &mut Vm, d: &mut Decompressor, rest: &[u8], err: i32) {
    let mut rest = rest;
    if err == z::Z_STREAM_END && !rest.is_empty() {
        let mut data = bytes_of(&d.unused_data).unwrap_or_default();
        data.extend_from_slice(rest);
        d.unused_data = new_bytes(vm, data);
        rest = &[];
    }
    let tail_len = bytes_of(&d.unconsumed_tail).map_or(0, |t| t.len());
    if !rest.is_empty() || tail_len > 0 {
        d.unconsumed_tail = new_bytes(vm, rest.to_vec());
    }
}

/// `Decompress.decompress(data, /, max_length=0)`.
fn decomp_decompress(vm: &mut Vm, a: Args) -> PyResult {
    let st = decompressor(vm, &a, "decompress")?;
    let [data, max_length] = method_args(vm, &a, "decompress", 1, 1, ["data", "max_length"])?;
    let data = bytes_like(vm, data.as_ref().unwrap_or(&Value::None))?;
    let max_length = ssize_arg(vm, max_length.as_ref(), 0)?;
    if max_length < 0 {
        return Err(vm.new_value_error("max_length must be non-negative"));
    }
    let max = (max_length > 0).then_some(max_length as usize);
    let mut st = st.borrow_mut();
    let d = &mut *st;
    let mut out = OutBuf::new(&mut d.s, max).map_err(|e| no_memory(vm, e))?;
    let mut input = Input::new(&data);
    let mut err = z::Z_OK;
    'chunks: loop {
        let more = input.next_chunk(&mut d.s);
        loop {
            if d.s.avail_out() == 0 {
                if out.full() {
                    break 'chunks;
                }
                out.grow(&mut d.s).map_err(|e| no_memory(vm, e))?;
            }
            err = d.s.step(z::Z_SYNC_FLUSH);
            out.commit(&d.s);
            match err {
                z::Z_OK | z::Z_BUF_ERROR | z::Z_STREAM_END => {}
                Z_NEED_DICT if d.zdict.is_some() => set_inflate_zdict(vm, d)?,
                _ => break 'chunks,
            }
            if d.s.avail_out() != 0 && err != Z_NEED_DICT {
                break;
            }
        }
        if err == z::Z_STREAM_END || !more {
            break;
        }
    }
    let rest = input.rest(&d.s);
    save_unconsumed_input(vm, d, rest, err);
    if err == z::Z_STREAM_END {
        d.eof = true;
    } else if err != z::Z_OK && err != z::Z_BUF_ERROR {
        return Err(zlib_error(
            vm,
            &d.c,
            err,
            d.s.message(),
            "while decompressing data",
        ));
    }
    Ok(new_bytes(vm, out.finish()))
}

/// `Decompress.flush(length=DEF_BUF_SIZE, /)`.
fn decomp_flush(vm: &mut Vm, a: Args) -> PyResult {
    let st = decompressor(vm, &a, "flush")?;
    let [length] = method_args(vm, &a, "flush", 1, 0, ["length"])?;
    let length = ssize_arg(vm, length.as_ref(), DEF_BUF_SIZE)?;
    if length <= 0 {
        return Err(vm.new_value_error("length must be greater than zero"));
    }
    let mut st = st.borrow_mut();
    let d = &mut *st;
    let tail = bytes_of(&d.unconsumed_tail).unwrap_or_default();
    let mut out = OutBuf::with_size(&mut d.s, length as usize).map_err(|e| no_memory(vm, e))?;
    let mut input = Input::new(&tail);
    let mut err;
    'chunks: loop {
        let more = input.next_chunk(&mut d.s);
        let flush = if more { z::Z_NO_FLUSH } else { z::Z_FINISH };
        loop {
            if d.s.avail_out() == 0 {
                out.grow(&mut d.s).map_err(|e| no_memory(vm, e))?;
            }
            err = d.s.step(flush);
            out.commit(&d.s);
            if !matches!(err, z::Z_OK | z::Z_BUF_ERROR | z::Z_STREAM_END) {
                break 'chunks;
            }
            if d.s.avail_out() != 0 {
                break;
            }
        }
        if err == z::Z_STREAM_END || !more {
            break;
        }
    }
    let rest = input.rest(&d.s);
    save_unconsumed_input(vm, d, rest, err);
    if err == z::Z_STREAM_END {
        d.eof = true;
        let err = d.s.end();
        if err != z::Z_OK {
            let msg = d.s.message();
            return Err(zlib_error(
                vm,
                &d.c,
                err,
                msg,
                "while finishing decompression",
            ));
        }
    }
    Ok(new_bytes(vm, out.finish()))
}

/// A copy of a `Decompress` receiver.
fn copy_decompressor(vm: &mut Vm, a: &Args, method: &str) -> PyResult {
    let st = decompressor(vm, a, method)?;
    let mut st = st.borrow_mut();
    let c = st.c.clone();
    let s = copy_stream(vm, &mut st.s, &c, "decompression")?;
    let copy = Decompressor {
        s,
        c: c.clone(),
        unused_data: st.unused_data.clone(),
        unconsumed_tail: st.unconsumed_tail.clone(),
        eof: st.eof,
        zdict: st.zdict.clone(),
    };
    Ok(new_native_instance(vm, &c.decompress, copy))
}

/// `Decompress.copy()` and `Decompress.__copy__()`.
fn decomp_copy(vm: &mut Vm, a: Args) -> PyResult {
    method_args(vm, &a, "copy", 0, 0, [])?;
    copy_decompressor(vm, &a, "copy")
}

/// `Decompress.__deepcopy__(memo, /)`.
fn decomp_deepcopy(vm: &mut Vm, a: Args) -> PyResult {
    method_args(vm, &a, "__deepcopy__", 1, 1, ["memo"])?;
    copy_decompressor(vm, &a, "__deepcopy__")
}

fn get_unused_data(vm: &mut Vm, a: Args) -> PyResult {
    Ok(decompressor(vm, &a, "unused_data")?
        .borrow()
        .unused_data
        .clone())
}

fn get_unconsumed_tail(vm: &mut Vm, a: Args) -> PyResult {
    Ok(decompressor(vm, &a, "unconsumed_tail")?
        .borrow()
        .unconsumed_tail
        .clone())
}

fn get_eof(vm: &mut Vm, a: Args) -> PyResult {
    Ok(Value::bool(decompressor(vm, &a, "eof")?.borrow().eof))
}
