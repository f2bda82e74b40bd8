//! The `random` module: CPython's `random.Random` on the Mersenne Twister (`mt.rs`), with
//! CPython's seeding, its `getrandbits`-based `_randbelow` and the same algorithms for every
//! method, so that a seeded generator produces CPython's exact sequences. The module-level
//! functions are the bound methods of a hidden instance (`random._inst`), as in CPython.
//!
//! Methods of subclasses that override `random` or `getrandbits` are honoured: the other
//! methods then call the overriding method instead of the generator directly. `SystemRandom`
//! is such a subclass, CPython's own (`system.aio`), over `_urandom` (`os.urandom`).

pub(crate) mod dists;
pub(crate) mod mt;
pub(crate) mod seq;

use aio_vm::module::{
    as_int, bytes_of, call_method, int_value, native_state, new_bytes, new_native_instance,
    sequence_items, to_index, ModuleBuilder,
};
use aio_vm::native::Args;
use aio_vm::{Obj, PyResult, Value, Vm};
use mt::Mt;
use num_bigint::{BigInt, BigUint, Sign};
use num_integer::Integer;
use num_traits::{Signed, ToPrimitive, Zero};

/// The Rust state of a `Random` instance.
#[derive(Clone, Default)]
pub(crate) struct RandomState {
    /// The generator.
    pub mt: Mt,
    /// The second normal deviate of the last `gauss` pair (`gauss_next`).
    pub gauss_next: Option<f64>,
}

const CLASS: &str = "Random";

/// Runs `f` on the generator state of `s`.
fn with_state<R>(vm: &mut Vm, s: &Value, f: impl FnOnce(&mut RandomState) -> R) -> PyResult<R> {
    match native_state::<RandomState>(s) {
        Some(cell) => Ok(f(&mut cell.borrow_mut())),
        None => Err(vm.new_type_error(format!(
            "descriptor requires a 'random.Random' object but received a '{}'",
            vm.type_name(s)
        ))),
    }
}

/// True when `name` on the class of `s` is still this module's native method.
fn is_native(vm: &mut Vm, s: &Value, name: &str) -> bool {
    let cls = vm.class_of(s).clone();
    let n = vm.intern(name);
    match aio_vm::types::lookup(&cls, &n) {
        Some(f) => aio_vm::attr::is_native_of(&f, CLASS),
        None => false,
    }
}

/// `self.random()`.
pub(crate) fn rand_f64(vm: &mut Vm, s: &Value) -> PyResult<f64> {
    if is_native(vm, s, "random") {
        return with_state(vm, s, |st| st.mt.next_f64());
    }
    let r = call_method(vm, s, "random", &[])?;
    aio_vm::module::to_f64(vm, &r)
}

/// `self.getrandbits(k)`.
pub(crate) fn rand_bits(vm: &mut Vm, s: &Value, k: u64) -> PyResult<BigInt> {
    if is_native(vm, s, "getrandbits") {
        let words = with_state(vm, s, |st| st.mt.bits_words(k))?;
        return Ok(BigInt::from_biguint(Sign::Plus, BigUint::new(words)));
    }
    let r = call_method(vm, s, "getrandbits", &[Value::Int(k as i64)])?;
    to_index(vm, &r)
}

/// The last class a question about a class was answered for, the type epoch then, and
/// the answer.
type ClassAnswer = std::cell::Cell<(usize, u64, bool)>;

thread_local! {
    static NATIVE_BITS: ClassAnswer = const { std::cell::Cell::new((0, 0, false)) };
    static NATIVE_RANDRANGE: ClassAnswer = const { std::cell::Cell::new((0, 0, false)) };
}

/// `answer(vm, s)`, remembered in `cache` for the last class of `s` until any class
/// changes (the type epoch).
fn per_class(
    cache: &'static std::thread::LocalKey<ClassAnswer>,
    vm: &mut Vm,
    s: &Value,
    answer: fn(&mut Vm, &Value) -> bool,
) -> bool {
    let cls = vm.class_of(s).clone();
    let key = (
        std::rc::Rc::as_ptr(&cls) as usize,
        aio_vm::types::type_epoch(),
    );
    let (c, e, known) = cache.with(|n| n.get());
    if (c, e) == key {
        return known;
    }
    let known = answer(vm, s);
    cache.with(|n| n.set((key.0, key.1, known)));
    known
}

/// Whether `s` draws through this module's own `_randbelow` and `getrandbits` (a
/// `Random` whose class overrides neither).
pub(crate) fn native_bits(vm: &mut Vm, s: &Value) -> bool {
    per_class(&NATIVE_BITS, vm, s, |vm, s| {
        matches!(below_kind(vm, s), Below::Bits) && is_native(vm, s, "getrandbits")
    })
}

/// Whether `s`'s class keeps this module's `randrange` (`randint` calls an override, as
/// CPython's `return self.randrange(a, b+1)` does).
pub(crate) fn native_randrange(vm: &mut Vm, s: &Value) -> bool {
    per_class(&NATIVE_RANDRANGE, vm, s, |vm, s| {
        is_native(vm, s, "randrange")
    })
}

/// `_randbelow_with_getrandbits(n)` for `0 < n < 2**64` on the generator itself: the
/// words `getrandbits(n.bit_length())` consumes (the low word first), without a big int.
pub(crate) fn below_u64(mt: &mut Mt, n: u64) -> u64 {
    let k = 64 - n.leading_zeros();
    loop {
        let r = if k <= 32 {
            u64::from(mt.next_u32() >> (32 - k))
        } else {
            let lo = u64::from(mt.next_u32());
            lo | u64::from(mt.next_u32() >> (64 - k)) << 32
        };
        if r < n {
            return r;
        }
    }
}

/// Which `_randbelow` a class uses, chosen as CPython's `Random.__init_subclass__` does:
/// the first class along the MRO that defines `_randbelow`, `getrandbits` or `random`.
enum Below {
    /// `getrandbits` rejection (the native method or an override of `getrandbits`).
    Bits,
    /// An override of `random` only: `_randbelow_without_getrandbits`.
    Float,
    /// A script's own `_randbelow`.
    Custom(Value),
}

fn below_kind(vm: &mut Vm, s: &Value) -> Below {
    let cls = vm.class_of(s).clone();
    let names = ["_randbelow", "getrandbits", "random"].map(|n| vm.intern(n));
    let Some(t) = cls.as_type() else {
        return Below::Bits;
    };
    let mro = t.mro.borrow().clone();
    for c in mro {
        let Some(ct) = c.as_type() else { continue };
        let ns = ct.ns.borrow();
        if let Some(f) = ns.get_str(&names[0]) {
            if aio_vm::attr::is_native_of(f, CLASS) {
                return Below::Bits;
            }
            return Below::Custom(f.clone());
        }
        if ns.get_str(&names[1]).is_some() {
            return Below::Bits;
        }
        if ns.get_str(&names[2]).is_some() {
            return Below::Float;
        }
    }
    Below::Bits
}

/// `self._randbelow(n)` for n > 0, as the class defines it.
pub(crate) fn randbelow(vm: &mut Vm, s: &Value, n: &BigInt) -> PyResult<BigInt> {
    match below_kind(vm, s) {
        Below::Bits => randbelow_bits(vm, s, n),
        Below::Custom(f) => {
            let nv = int_value(vm, n.clone());
            let r = vm.call(&f, &[s.clone(), nv], &[])?;
            to_index(vm, &r)
        }
        Below::Float => {
            // `_randbelow_without_getrandbits`: scale a float draw, rejecting the top.
            let maxsize = BigInt::from(1u64 << 53);
            if n >= &maxsize {
                let r = rand_f64(vm, s)?;
                let x = r * n.to_f64().unwrap_or(f64::INFINITY);
                return Ok(num_traits::FromPrimitive::from_f64(x.floor()).unwrap_or_default());
            }
            let n64 = n.to_u64().unwrap_or(1);
            let rem = (1u64 << 53) % n64;
            let limit = ((1u64 << 53) - rem) as f64 / (1u64 << 53) as f64;
            let mut r = rand_f64(vm, s)?;
            while r >= limit {
                r = rand_f64(vm, s)?;
            }
            Ok(BigInt::from((r * (1u64 << 53) as f64).floor() as u64 % n64))
        }
    }
}

/// `_randbelow_with_getrandbits(n)`: `getrandbits(n.bit_length())` until below `n`.
fn randbelow_bits(vm: &mut Vm, s: &Value, n: &BigInt) -> PyResult<BigInt> {
    if n.is_zero() {
        return Ok(BigInt::zero());
    }
    let k = n.bits();
    if k <= 64 && is_native(vm, s, "getrandbits") {
        let n = n.to_u64().unwrap_or(u64::MAX);
        let r = with_state(vm, s, |st| below_u64(&mut st.mt, n))?;
        return Ok(BigInt::from(r));
    }
    loop {
        let r = rand_bits(vm, s, k)?;
        if &r < n {
            return Ok(r);
        }
    }
}

/// `_randbelow` for sizes that fit a machine word.
pub(crate) fn randbelow_usize(vm: &mut Vm, s: &Value, n: usize) -> PyResult<usize> {
    let r = randbelow(vm, s, &BigInt::from(n))?;
    Ok(r.to_usize().unwrap_or(0))
}

/// OS randomness for unseeded generators.
fn os_random_words() -> Vec<u32> {
    let mut buf = [0u8; mt::N * 4];
    let ok = std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut buf))
        .is_ok();
    if !ok {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let pid = std::process::id() as u128;
        return vec![t as u32, (t >> 32) as u32, (t >> 64) as u32, pid as u32];
    }
    buf.chunks(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

/// The key words CPython's `random_seed` feeds to `init_by_array` for an int seed.
fn int_key(n: &BigInt) -> Vec<u32> {
    let words = n.magnitude().to_u32_digits();
    if words.is_empty() {
        vec![0]
    } else {
        words
    }
}

/// `Random.seed(a=None, version=2)`.
fn random_seed(vm: &mut Vm, a: Args) -> PyResult {
    a.check_kwargs(vm, "seed", &["a", "version"])?;
    a.method_count(vm, "seed", 0, 2)?;
    let s = a.pos[0].clone();
    let arg = a.arg(1, "a").cloned().unwrap_or(Value::None);
    let version = match a.arg(2, "version") {
        Some(v) => to_index(vm, v)?,
        None => BigInt::from(2),
    };
    let is_text = arg.as_str().is_some() || bytes_of(&arg).is_some();
    let key: Vec<u32> = if arg.is_none() {
        os_random_words()
    } else if version == BigInt::from(1) && is_text && !aio_vm::module::is_bytearray(&arg) {
        // The pre-3.2 string hash.
        let chars: Vec<u32> = match arg.as_str() {
            Some(t) => t.as_str().chars().map(|c| c as u32).collect(),
            None => bytes_of(&arg)
                .unwrap_or_default()
                .into_iter()
                .map(u32::from)
                .collect(),
        };
        let mut x: u64 = chars.first().map(|&c| (c as u64) << 7).unwrap_or(0);
        for &c in &chars {
            x = 1_000_003u64.wrapping_mul(x) ^ c as u64;
        }
        x ^= chars.len() as u64;
        int_key(&BigInt::from(x))
    } else if version == BigInt::from(2) && is_text {
        let mut bytes = match arg.as_str() {
            Some(t) => t.as_str().as_bytes().to_vec(),
            None => bytes_of(&arg).unwrap_or_default(),
        };
        // `int.from_bytes(a + sha512(a).digest())`, as CPython seeds from text.
        let digest = <sha2::Sha512 as sha2::Digest>::digest(&bytes);
        bytes.extend_from_slice(&digest);
        int_key(&BigInt::from_bytes_be(Sign::Plus, &bytes))
    } else if let Some(n) = as_int(&arg) {
        int_key(&n)
    } else if matches!(arg, Value::Float(_)) || is_float_instance(vm, &arg) || is_text {
        // Floats (and text with version 3+) seed from their hash, as a C size_t.
        let h = vm.hash(&arg)?;
        int_key(&BigInt::from(h as u64))
    } else {
        return Err(vm.new_type_error(
            "The only supported seed types are: None,\nint, float, str, bytes, and bytearray.",
        ));
    };
    with_state(vm, &s, |st| {
        st.mt = Mt::from_key(&key);
        st.gauss_next = None;
    })?;
    Ok(Value::None)
}

fn is_float_instance(vm: &mut Vm, v: &Value) -> bool {
    let float = vm.types.float.clone();
    vm.isinstance(v, &float)
}

fn random_random(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "random")?;
    a.method_count(vm, "random", 0, 0)?;
    let s = a.pos[0].clone();
    with_state(vm, &s, |st| Value::float(st.mt.next_f64()))
}

fn random_getrandbits(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "getrandbits")?;
    a.method_count(vm, "getrandbits", 1, 1)?;
    let s = a.pos[0].clone();
    let k = to_index(vm, &a.pos[1])?;
    if k.is_negative() {
        return Err(vm.new_value_error("number of bits must be non-negative"));
    }
    let Some(k) = k.to_u64().filter(|k| *k < (1 << 40)) else {
        return Err(vm.new_overflow_error("Python int too large to convert to C int"));
    };
    let words = with_state(vm, &s, |st| st.mt.bits_words(k))?;
    Ok(int_value(
        vm,
        BigInt::from_biguint(Sign::Plus, BigUint::new(words)),
    ))
}

fn random_randbytes(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "randbytes")?;
    a.method_count(vm, "randbytes", 1, 1)?;
    let s = a.pos[0].clone();
    let n = aio_vm::module::to_index_i64(vm, &a.pos[1])?;
    if n < 0 {
        return Err(vm.new_value_error("negative argument not allowed"));
    }
    let r = rand_bits(vm, &s, n as u64 * 8)?;
    let mut bytes = r.magnitude().to_bytes_le();
    bytes.resize(n as usize, 0);
    if r.is_zero() {
        bytes = vec![0; n as usize];
    }
    Ok(new_bytes(vm, bytes))
}

fn random_getstate(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "getstate", 0, 0)?;
    let s = a.pos[0].clone();
    let st = with_state(vm, &s, |st| st.clone())?;
    let mut items: Vec<Value> = st.mt.state.iter().map(|&w| Value::Int(w as i64)).collect();
    items.push(Value::Int(st.mt.index as i64));
    let inner = vm.new_tuple(items);
    let gauss = st.gauss_next.map(Value::float).unwrap_or(Value::None);
    Ok(vm.new_tuple(vec![Value::Int(3), inner, gauss]))
}

fn random_setstate(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "setstate", 1, 1)?;
    let s = a.pos[0].clone();
    let parts = vm.collect(&a.pos[1])?;
    let version = parts.first().cloned().unwrap_or(Value::None);
    let v2 = matches!(version, Value::Int(2));
    if !(matches!(version, Value::Int(3)) || v2) || parts.len() != 3 {
        let r = vm.repr(&version)?;
        return Err(vm.new_value_error(format!(
            "state with version {} passed to Random.setstate() of version 3",
            r.as_str()
        )));
    }
    let Some(words) = parts[1]
        .payload()
        .and_then(|_| sequence_items(&parts[1]))
        .filter(|_| vm.type_name(&parts[1]) == "tuple")
    else {
        return Err(vm.new_type_error("state vector must be a tuple"));
    };
    if words.len() != mt::N + 1 {
        return Err(vm.new_value_error("state vector is the wrong size"));
    }
    let mut new = Mt::default();
    for (i, w) in words.iter().enumerate() {
        let Some(n) = as_int(w) else {
            return Err(vm.new_type_error(format!(
                "'{}' object cannot be interpreted as an integer",
                vm.type_name(w)
            )));
        };
        let n = if v2 {
            n.mod_floor(&(BigInt::from(1) << 32))
        } else {
            n
        };
        if n.is_negative() {
            return Err(vm.new_overflow_error("can't convert negative int to unsigned"));
        }
        if i < mt::N {
            new.state[i] = (n & BigInt::from(u32::MAX)).to_u32().unwrap_or(0);
        } else {
            match n.to_usize().filter(|x| *x <= mt::N) {
                Some(ix) => new.index = ix,
                None => return Err(vm.new_value_error("invalid state")),
            }
        }
    }
    let gauss = match &parts[2] {
        Value::None => None,
        v => Some(aio_vm::module::to_f64(vm, v)?),
    };
    with_state(vm, &s, |st| {
        st.mt = new;
        st.gauss_next = gauss;
    })?;
    Ok(Value::None)
}

fn random_new(vm: &mut Vm, a: Args) -> PyResult {
    let cls = match a.pos.first() {
        Some(Value::Obj(c)) if c.as_type().is_some() => c.clone(),
        _ => return Err(vm.new_type_error("Random.__new__(X): X is not a type object")),
    };
    Ok(new_native_instance(vm, &cls, RandomState::default()))
}

fn random_init(vm: &mut Vm, a: Args) -> PyResult {
    a.check_kwargs(vm, "Random", &["x"])?;
    a.method_count(vm, "Random", 0, 1)?;
    let s = a.pos[0].clone();
    let x = a.arg(1, "x").cloned().unwrap_or(Value::None);
    call_method(vm, &s, "seed", &[x])?;
    Ok(Value::None)
}

/// Builds the `random` module.
pub fn init(vm: &mut Vm, module: &Obj) -> PyResult<()> {
    let mut b = ModuleBuilder::new(vm, module);
    let mut c = b.class(CLASS);
    c.constructor(random_new)
        .method("__init__", random_init)
        .method("seed", random_seed)
        .method("random", random_random)
        .method("getrandbits", random_getrandbits)
        .method("randbytes", random_randbytes)
        .method("getstate", random_getstate)
        .method("setstate", random_setstate)
        .attr("VERSION", 3i64);
    seq::install(&mut c);
    dists::install(&mut c);
    let cls = c.finish();
    let vm = b.vm();
    let inst = vm.call(&Value::Obj(cls), &[], &[])?;
    b.set("_inst", inst.clone());
    let names = [
        "seed",
        "random",
        "uniform",
        "triangular",
        "randint",
        "choice",
        "randrange",
        "sample",
        "shuffle",
        "choices",
        "normalvariate",
        "lognormvariate",
        "expovariate",
        "vonmisesvariate",
        "gammavariate",
        "gauss",
        "betavariate",
        "paretovariate",
        "weibullvariate",
        "getstate",
        "setstate",
        "getrandbits",
        "randbytes",
    ];
    for name in names {
        let f = aio_vm::module::getattr(b.vm(), &inst, name)?;
        b.set(name, f);
    }
    b.constant("NV_MAGICCONST", dists::NV_MAGICCONST)
        .constant("TWOPI", std::f64::consts::TAU)
        .constant("LOG4", dists::log(4.0))
        .constant("SG_MAGICCONST", 1.0 + dists::log(4.5))
        .constant("BPF", 53i64)
        .constant("RECIP_BPF", 2f64.powi(-53));
    b.function("_urandom", crate::fs::urandom);
    crate::source::run(
        b.vm(),
        module,
        &[("random/system.aio", include_str!("system.aio"))],
    )
}
