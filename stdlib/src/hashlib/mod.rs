//! `_hashlib`, the native half of `hashlib` (CPython's OpenSSL module, on RustCrypto's
//! digests): the `HASH` class (`update`, `digest`, `hexdigest`, `copy`, `name`,
//! `digest_size`, `block_size`) and its subclass `HASHXOF` for the SHAKE functions (whose
//! `digest`/`hexdigest` take the output length), the constructors `openssl_md5` ...
//! `openssl_shake_256` and
//! `new`, `pbkdf2_hmac`, `compare_digest` and `UnsupportedDigestmodError`. `hashlib.aio`
//! (the module scripts import) and `hmac.aio` stand on it.

mod hasher;
mod shake;

use crate::native_class::{native_class, property};
use aio_vm::builtins::{bytes_like, bytes_of, module_native};
use aio_vm::module::{
    native_state, new_bytes, new_class, new_native_instance, ClassBuilder, ModuleBuilder,
};
use aio_vm::native::{Args, NativeImpl};
use aio_vm::{Obj, PyResult, Value, Vm};
use hasher::{Hasher, NAMES};
use num_traits::ToPrimitive;
use std::cell::RefCell;
use std::rc::Rc;

/// The classes the module's functions make or raise.
struct Classes {
    hash: Obj,
    xof: Obj,
    unsupported: Obj,
}

/// Initialises `_hashlib`.
pub fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    let hash = native_class(vm, "_hashlib", "HASH");
    ClassBuilder::new(vm, &hash)
        .method("update", update)
        .method("digest", digest)
        .method("hexdigest", hexdigest)
        .method("copy", copy)
        .method("__repr__", repr);
    let props: [(&str, aio_vm::native::NativeFn); 3] = [
        ("name", get_name),
        ("digest_size", get_digest_size),
        ("block_size", get_block_size),
    ];
    for (name, f) in props {
        property(vm, &hash, name, f, true);
    }
    let xof = new_class(vm, "_hashlib", "HASHXOF", std::slice::from_ref(&hash));
    ClassBuilder::new(vm, &xof)
        .method("digest", xof_digest)
        .method("hexdigest", xof_hexdigest);
    let value_error = vm.exc.value_error.clone();
    let unsupported = new_class(vm, "_hashlib", "UnsupportedDigestmodError", &[value_error]);
    let classes = Rc::new(Classes {
        hash: hash.clone(),
        xof: xof.clone(),
        unsupported: unsupported.clone(),
    });
    let mut b = ModuleBuilder::new(vm, m);
    for algo in NAMES {
        let c = classes.clone();
        let fname = format!("openssl_{algo}");
        let f = fname.clone();
        let imp = NativeImpl::Closure(Rc::new(move |vm: &mut Vm, a: Args<'_>| {
            construct(vm, a, &c, &f)
        }));
        let v = module_native(b.vm(), "_hashlib", &fname, imp);
        b.set(&fname, v);
    }
    let c = classes.clone();
    let imp = NativeImpl::Closure(Rc::new(move |vm: &mut Vm, a: Args<'_>| new(vm, a, &c)));
    let v = module_native(b.vm(), "_hashlib", "new", imp);
    b.set("new", v);
    let c = classes;
    let imp = NativeImpl::Closure(Rc::new(move |vm: &mut Vm, a: Args<'_>| {
        pbkdf2_hmac(vm, a, &c)
    }));
    let v = module_native(b.vm(), "_hashlib", "pbkdf2_hmac", imp);
    b.set("pbkdf2_hmac", v)
        .function("compare_digest", compare_digest)
        .set("HASH", Value::Obj(hash))
        .set("HASHXOF", Value::Obj(xof))
        .set("UnsupportedDigestmodError", Value::Obj(unsupported));
    let names: Vec<Value> = NAMES.iter().map(|n| Value::str(*n)).collect();
    let names = aio_vm::builtins::make_tuple_const(&b.vm().types, names);
    b.set("_names", names);
    Ok(())
}

/// The data argument of a constructor or `update`, with `_hashlib`'s messages.
fn data_arg(vm: &mut Vm, v: &Value) -> PyResult<Vec<u8>> {
    if v.as_str().is_some() {
        return Err(vm.new_type_error("Strings must be encoded before hashing"));
    }
    bytes_of(v).ok_or_else(|| vm.new_type_error("object supporting the buffer API required"))
}

/// A new `HASH` holding `h` fed with `data` (when given).
fn new_hash(vm: &mut Vm, c: &Classes, mut h: Hasher, data: Option<&Value>) -> PyResult {
    if let Some(d) = data {
        let bytes = data_arg(vm, d)?;
        h.update(&bytes);
    }
    let cls = if h.is_xof() { &c.xof } else { &c.hash };
    Ok(new_native_instance(vm, cls, h))
}

/// `openssl_NAME(string=b'', *, usedforsecurity=True)`, under the name `fname`.
fn construct(vm: &mut Vm, a: Args, c: &Classes, fname: &str) -> PyResult {
    let [string, _secure] = a.clinic(vm, fname, 0, 0, ["string", "usedforsecurity"])?;
    if a.pos.len() > 1 {
        return Err(vm.new_type_error(format!(
            "{fname}() takes at most 1 positional argument ({} given)",
            a.pos.len()
        )));
    }
    let h = hasher_for(vm, c, fname.trim_start_matches("openssl_"))?;
    new_hash(vm, c, h, string.as_ref())
}

/// A fresh digest for `name`, or `UnsupportedDigestmodError` with OpenSSL's message.
fn hasher_for(vm: &mut Vm, c: &Classes, name: &str) -> PyResult<Hasher> {
    Hasher::new(name).ok_or_else(|| {
        vm.new_exception_msg(&c.unsupported, "[digital envelope routines] unsupported")
    })
}

/// `new(name, string=b'', *, usedforsecurity=True)`.
fn new(vm: &mut Vm, a: Args, c: &Classes) -> PyResult {
    let [name, string, _secure] =
        a.clinic(vm, "new", 0, 1, ["name", "string", "usedforsecurity"])?;
    if a.pos.len() > 2 {
        return Err(vm.new_type_error(format!(
            "new() takes at most 2 positional arguments ({} given)",
            a.pos.len()
        )));
    }
    let Some(name) = name
        .as_ref()
        .and_then(|n| n.as_str())
        .map(|n| n.as_str().to_string())
    else {
        return Err(vm.new_type_error("name must be a string"));
    };
    let h = hasher_for(vm, c, &name)?;
    new_hash(vm, c, h, string.as_ref())
}

/// The running digest of a `HASH` receiver, or the descriptor's `TypeError`.
fn state<'a>(vm: &mut Vm, v: &'a Value, method: &str) -> PyResult<&'a RefCell<Hasher>> {
    native_state::<Hasher>(v).ok_or_else(|| {
        let t = vm.type_name(v);
        vm.new_type_error(format!(
            "descriptor '{method}' for '_hashlib.HASH' objects doesn't apply to a '{t}' object"
        ))
    })
}

fn update(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "HASH.update", 1, 1)?;
    let h = state(vm, &a.pos[0], "update")?;
    let data = data_arg(vm, &a.pos[1])?;
    h.borrow_mut().update(&data);
    Ok(Value::None)
}

fn digest(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "HASH.digest", 0, 0)?;
    let d = state(vm, &a.pos[0], "digest")?.borrow().digest();
    Ok(new_bytes(vm, d))
}

fn hexdigest(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "HASH.hexdigest", 0, 0)?;
    let d = state(vm, &a.pos[0], "hexdigest")?.borrow().digest();
    let hex = aio_vm::builtins::hex_bytes(&d, None, 1);
    Ok(Value::str(
        hex.iter().map(|&c| c as char).collect::<String>(),
    ))
}

/// The `length` argument of `HASHXOF.digest`/`hexdigest`, as CPython's `Py_ssize_t`
/// converter reads it, and CPython's errors for a negative one.
fn xof_length(vm: &mut Vm, a: &Args, fname: &str) -> PyResult<usize> {
    if a.pos.len() > 2 {
        return Err(vm.new_type_error(format!(
            "{fname}() takes at most 1 argument ({} given)",
            a.pos.len() - 1
        )));
    }
    let Some(v) = a.pos.get(1).or_else(|| a.kwarg("length")) else {
        return Err(vm.new_type_error(format!(
            "{fname}() missing required argument 'length' (pos 1)"
        )));
    };
    a.check_kwargs(vm, fname, &["length"])?;
    let n = match v {
        Value::Int(n) => *n,
        other => aio_vm::module::to_index(vm, other)?
            .to_i64()
            .ok_or_else(|| vm.new_overflow_error("Python int too large to convert to C ssize_t"))?,
    };
    usize::try_from(n).map_err(|_| {
        if fname == "digest" {
            // CPython hands the length to PyBytes_FromStringAndSize unchecked.
            let cls = vm.exc.system_error.clone();
            vm.new_exception_msg(&cls, "Negative size passed to PyBytes_FromStringAndSize")
        } else {
            vm.new_exception(&vm.exc.memory_error.clone(), vec![])
        }
    })
}

/// `HASHXOF.digest(length)`.
fn xof_digest(vm: &mut Vm, a: Args) -> PyResult {
    let n = xof_length(vm, &a, "digest")?;
    let d = state(vm, &a.pos[0], "digest")?.borrow().xof_digest(n);
    Ok(new_bytes(vm, d))
}

/// `HASHXOF.hexdigest(length)`.
fn xof_hexdigest(vm: &mut Vm, a: Args) -> PyResult {
    let n = xof_length(vm, &a, "hexdigest")?;
    let d = state(vm, &a.pos[0], "hexdigest")?.borrow().xof_digest(n);
    let hex = aio_vm::builtins::hex_bytes(&d, None, 1);
    Ok(Value::str(
        hex.iter().map(|&c| c as char).collect::<String>(),
    ))
}

fn copy(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "HASH.copy", 0, 0)?;
    let h = state(vm, &a.pos[0], "copy")?.borrow().clone();
    let cls = vm.class_of(&a.pos[0]).clone();
    Ok(new_native_instance(vm, &cls, h))
}

fn repr(vm: &mut Vm, a: Args) -> PyResult {
    let (name, class) = {
        let h = state(vm, &a.pos[0], "__repr__")?.borrow();
        (h.name(), if h.is_xof() { "HASHXOF" } else { "HASH" })
    };
    let addr = match &a.pos[0] {
        Value::Obj(o) => Rc::as_ptr(o) as usize,
        _ => 0,
    };
    Ok(Value::str(format!(
        "<{name} _hashlib.{class} object @ {addr:#x}>"
    )))
}

fn get_name(vm: &mut Vm, a: Args) -> PyResult {
    let h = state(vm, &a.pos[0], "name")?.borrow().name();
    Ok(Value::str(h))
}

fn get_digest_size(vm: &mut Vm, a: Args) -> PyResult {
    let n = state(vm, &a.pos[0], "digest_size")?.borrow().digest_size();
    Ok(Value::Int(n as i64))
}

fn get_block_size(vm: &mut Vm, a: Args) -> PyResult {
    let n = state(vm, &a.pos[0], "block_size")?.borrow().block_size();
    Ok(Value::Int(n as i64))
}

/// `pbkdf2_hmac(hash_name, password, salt, iterations, dklen=None)`.
fn pbkdf2_hmac(vm: &mut Vm, a: Args, c: &Classes) -> PyResult {
    let params = ["hash_name", "password", "salt", "iterations", "dklen"];
    let [name, password, salt, iterations, dklen] = a.clinic(vm, "pbkdf2_hmac", 0, 4, params)?;
    // The clinic binding has made sure the four required ones are there.
    let [name, password, salt, iterations] =
        [name, password, salt, iterations].map(|v| v.unwrap_or(Value::None));
    let Some(name) = name.as_str().map(|n| n.as_str().to_string()) else {
        let t = vm.type_name(&name);
        return Err(vm.new_type_error(format!(
            "pbkdf2_hmac() argument 'hash_name' must be str, not {t}"
        )));
    };
    let password = bytes_like(vm, &password)?;
    let salt = bytes_like(vm, &salt)?;
    let iterations = aio_vm::module::to_index(vm, &iterations)?;
    if iterations < 1.into() {
        return Err(vm.new_value_error("iteration value must be greater than 0."));
    }
    let Some(iterations) = iterations.to_i32() else {
        return Err(vm.new_overflow_error("iteration value is too great."));
    };
    let base = hasher_for(vm, c, &name)?;
    if base.is_xof() {
        // OpenSSL has no HMAC over an extendable-output function.
        return Err(vm.new_value_error("no reason supplied"));
    }
    let dklen = match dklen {
        None | Some(Value::None) => base.digest_size(),
        Some(v) => {
            let n = aio_vm::module::to_index(vm, &v)?;
            if n < 1.into() {
                return Err(vm.new_value_error("key length must be greater than 0."));
            }
            match n.to_i32() {
                Some(n) => n as usize,
                None => return Err(vm.new_overflow_error("key length is too great.")),
            }
        }
    };
    let key = hasher::pbkdf2_hmac(base, &password, &salt, iterations as u32, dklen);
    Ok(new_bytes(vm, key))
}

/// `compare_digest(a, b, /)`: equality of two ASCII strs or two bytes-like objects, in
/// time that depends only on the length of `b`.
fn compare_digest(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "compare_digest")?;
    a.check_count(vm, "compare_digest", 2, 2)?;
    let (x, y) = match (a.pos[0].as_str(), a.pos[1].as_str()) {
        (Some(x), Some(y)) => {
            if !x.as_str().is_ascii() || !y.as_str().is_ascii() {
                return Err(vm.new_type_error(
                    "comparing strings with non-ASCII characters is not supported",
                ));
            }
            (
                x.as_str().as_bytes().to_vec(),
                y.as_str().as_bytes().to_vec(),
            )
        }
        _ => {
            if bytes_of(&a.pos[0]).is_none() && bytes_of(&a.pos[1]).is_none() {
                let (t, u) = (vm.type_name(&a.pos[0]), vm.type_name(&a.pos[1]));
                return Err(vm.new_type_error(format!(
                    "unsupported operand types(s) or combination of types: '{t}' and '{u}'"
                )));
            }
            (bytes_like(vm, &a.pos[0])?, bytes_like(vm, &a.pos[1])?)
        }
    };
    // CPython's `_tscmp`: the work depends on the length of `y` alone.
    let left = if x.len() == y.len() { &x } else { &y };
    let mut diff = u8::from(x.len() != y.len());
    for (p, q) in left.iter().zip(&y) {
        diff |= p ^ q;
    }
    Ok(Value::bool(diff == 0))
}
