//! The interpreter loop. One Rust activation runs any number of script frames: a call to
//! a script function pushes the caller on `Vm::frames` and continues with the callee; a
//! return pops it back. Generators resumed by `for` or `yield from`/`await` are pushed the
//! same way, so neither calls nor delegation recurse on the Rust stack. Native code that
//! calls back into scripts starts a nested run with its own base.

use crate::code::{flags, BinOp, CmpOp, Instr, UnaryOp};
use crate::frame::{Block, Delivery, Frame};
use crate::gen::GenResult;
use crate::object::Payload;
use crate::str::Str;
use crate::value::{Obj, Value};
use crate::vm::{PyResult, Vm};
use smallvec::SmallVec;
use std::rc::Rc;

/// How a run of frames ended.
pub enum Outcome {
    /// The base frame returned.
    Return(Value),
    /// The base frame (a generator) yielded.
    Yield(Value),
}

/// What the dispatch loop hands to the frame-switching code.
enum Event {
    /// An exception raised by the instruction at `ip - 1`.
    Raise(Obj),
    /// Re-raise without a new traceback entry or context.
    Reraise(Obj),
    /// The frame returned.
    Return(Value),
    /// The frame yielded.
    Yield(Value),
    /// Switch to a new frame (call, generator resume).
    Push(Box<Frame>),
}

/// The result of preparing a call from the loop.
pub enum Prepared {
    /// The call completed (native callee).
    Value(Value),
    /// Run this frame; its result becomes the call's result.
    Frame(Box<Frame>),
}

macro_rules! tri {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(e) => break Event::Raise(e),
        }
    };
}

/// Runs `$call` with the arguments `f.stack[start..]` (the callee at `callee_pos`) lent in
/// place, without copying them out: the stack is lent to the call (as `$stack`) while the
/// frame sits on `Vm::frames`, then the callee and arguments are dropped and the result
/// pushed. Breaks out of the dispatch loop with the exception on failure.
macro_rules! call_lent {
    ($vm:ident, $f:ident, $callee_pos:expr, |$stack:ident| $call:expr) => {{
        let callee_pos = $callee_pos;
        let $stack = std::mem::take(&mut $f.stack);
        $vm.frames.push($f);
        let r = $call;
        $f = $vm.frames.pop().expect("frame");
        // The placeholder left by `take` is normally still empty: skip its
        // (out-of-line) drop then.
        let lent = std::mem::replace(&mut $f.stack, $stack);
        if lent.capacity() == 0 {
            std::mem::forget(lent);
        } else {
            drop(lent);
        }
        $f.stack.truncate(callee_pos);
        match r {
            Ok(v) => $f.stack.push(v),
            Err(e) => break Event::Raise(e),
        }
        continue;
    }};
}

/// Calls an unbound native function, or a built-in class, whose arguments are
/// `f.stack[start..]` (the callee at `callee_pos`) through [`call_lent!`]. Does nothing
/// when the callee is neither. `$self_found`: the first argument is the object the method
/// was looked up on (`CallMethod` with a `self`), so no receiver check is needed.
macro_rules! call_native_lent {
    ($vm:ident, $f:ident, $callee_pos:expr, $start:expr, $self_found:expr) => {{
        let callee_pos = $callee_pos;
        match &$f.stack[callee_pos] {
            Value::Obj(o) if matches!(&o.payload, Payload::Native(nf) if nf.bound.is_none()) => {
                call_lent!($vm, $f, callee_pos, |stack| match &stack[callee_pos] {
                    Value::Obj(o) => match &o.payload {
                        Payload::Native(nf) => crate::call::call_native(
                            $vm,
                            nf,
                            crate::native::Args {
                                pos: &stack[$start..],
                                kw: &[],
                            },
                            $self_found,
                        ),
                        _ => unreachable!(),
                    },
                    _ => unreachable!(),
                })
            }
            // `type(x)`, `int(s)`, `super()`, ...: `type.__call__` without the generic
            // call's argument vector.
            Value::Obj(o) if matches!(&o.payload, Payload::Type(t) if !t.heap) => {
                call_lent!($vm, $f, callee_pos, |stack| match &stack[callee_pos] {
                    Value::Obj(o) => $vm.call_type(o, &stack[$start..], &[]),
                    _ => unreachable!(),
                })
            }
            _ => {}
        }
    }};
}

/// The positional and keyword arguments of a keyword call, moved off the stack.
type KeywordCallArgs = (SmallVec<[Value; 8]>, SmallVec<[(Rc<Str>, Value); 4]>);

/// Moves the arguments of a keyword call (`CallKw`, `CallMethodKw`) off `stack`, from
/// `start` to the top: `npos` positional values, then one value per name in `names`.
/// Plain pushes: `extend` from a `Drain` is a slow generic loop.
#[inline]
fn keyword_call_args(
    stack: &mut Vec<Value>,
    start: usize,
    npos: usize,
    names: &[Value],
) -> KeywordCallArgs {
    let mut vals = stack.drain(start..);
    let mut pos = SmallVec::new();
    for _ in 0..npos {
        pos.push(vals.next().expect("argument"));
    }
    let mut kw = SmallVec::new();
    for (k, v) in names.iter().zip(vals) {
        if let Some(k) = k.as_str() {
            kw.push((k.clone(), v));
        }
    }
    (pos, kw)
}

/// The frame of a call whose arguments `$stack[$start..]` bind positionally to `$func`'s
/// parameters (after `$bound`, a method's `self`); the callee at `$callee_pos` and the
/// arguments leave the stack. A macro: `$func` may borrow the callee on `$stack`, which
/// stays there until the last use of `$func`.
macro_rules! bind_positionally {
    ($vm:ident, $stack:ident, $callee_pos:expr, $start:expr, $func:ident, $bound:expr) => {{
        let (callee_pos, start, bound): (usize, usize, Option<Value>) =
            ($callee_pos, $start, $bound);
        let nargs = $stack.len() - start;
        let n = nargs + bound.is_some() as usize;
        let mut frame = $vm.frame_pool_take(&$func.code, &$func.globals, Delivery::Call);
        let (nlocals, argc) = ($func.code.nlocals(), $func.code.argcount as usize);
        let locals = &mut frame.locals;
        debug_assert!(locals.is_empty() && n <= nlocals && callee_pos < start);
        locals.reserve(nlocals);
        let dst = locals.as_mut_ptr();
        // SAFETY: `locals` is empty with room for `nlocals` values. Slots `n..nlocals` get
        // the defaults of the parameters the call leaves out (the last `argc` of
        // `__defaults__` when it holds more, as CPython; `binds_positionally` checked there
        // are enough) and unbound for the other locals; then, with nothing left that can
        // panic, slots `0..n` get `self` and the arguments, moved off the stack without
        // reference counting: the stack gives them up by dropping its length to `start`.
        unsafe {
            if n < argc {
                let defaults = $func.defaults.borrow();
                for i in n..argc {
                    // `n + defaults.len() >= argc`: no underflow.
                    dst.add(i)
                        .write(defaults.get(i + defaults.len() - argc).cloned());
                }
            }
            for i in n.max(argc)..nlocals {
                dst.add(i).write(None);
            }
            let first = bound.is_some() as usize;
            if let Some(s) = bound {
                dst.write(Some(s));
            }
            let src = $stack.as_ptr().add(start);
            for k in 0..nargs {
                dst.add(first + k).write(Some(std::ptr::read(src.add(k))));
            }
            locals.set_len(nlocals);
            // The cells, from the bound arguments, while `$func` (which may be borrowed
            // from the stack) is still there; nothing in them can panic but an allocation
            // failure, which aborts.
            if $func.code.ncells() > 0 {
                $vm.fill_cells(&mut frame, $func);
            }
            $stack.set_len(start);
        }
        // Then the callee (and a method's null slot) is popped.
        while $stack.len() > callee_pos {
            $stack.pop();
        }
        frame
    }};
}

/// The script function a call of `v` runs, and the `self` it binds: `v` itself when it is
/// a script function, or the function of a bound method of one.
#[inline(always)]
fn script_callee(v: &Value) -> Option<(&crate::object::Function, Option<&Value>)> {
    let Value::Obj(o) = v else { return None };
    match &o.payload {
        Payload::Function(func) => Some((func, None)),
        Payload::Method(m) => match &m.0 {
            Value::Obj(fo) => match &fo.payload {
                Payload::Function(func) => Some((func, Some(&m.1))),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}

/// Whether `v` is the unbound built-in function implemented by `f` (how the run loop
/// recognizes the calls it specializes).
#[inline(always)]
fn is_native_fn(v: &Value, f: crate::native::NativeFn) -> bool {
    let Value::Obj(o) = v else { return false };
    let Payload::Native(nf) = &o.payload else {
        return false;
    };
    matches!(&nf.func, crate::native::NativeImpl::Fn(func)
        if nf.bound.is_none() && std::ptr::fn_addr_eq(*func, f))
}

/// `v` when it is a class defined in aio (a heap type), whose calls the class-call cache
/// ([`CacheKind::ClassInit`](crate::code::CacheKind::ClassInit)) may remember.
#[inline]
fn heap_class(v: &Value) -> Option<Obj> {
    match v {
        Value::Obj(o) if matches!(&o.payload, Payload::Type(t) if t.heap) => Some(o.clone()),
        _ => None,
    }
}

/// The instructions of a plain `await` after the awaitable is computed: `GetAwaitable(0)`,
/// `LoadConst None`, `YieldFrom` (see [`Delivery::EagerAwait`]).
const AWAIT_TAIL: usize = 3;

/// Whether the instructions from `ip` are a plain `await` ([`AWAIT_TAIL`]).
#[inline(always)]
fn awaits_at(code: &crate::code::Code, ip: usize) -> bool {
    match code.instrs.get(ip..ip + AWAIT_TAIL) {
        Some(&[Instr::GetAwaitable(0), Instr::LoadConst(c), Instr::YieldFrom]) => {
            code.consts[c as usize].is_none()
        }
        _ => false,
    }
}

/// The instructions of `async for` after its `GetANext`: `LoadConst None`, `YieldFrom`
/// (see [`Delivery::AsyncFor`]).
const ANEXT_TAIL: usize = 2;

/// Whether the instructions from `ip` are the end of an `async for` step ([`ANEXT_TAIL`]).
#[inline(always)]
fn anext_awaited_at(code: &crate::code::Code, ip: usize) -> bool {
    match code.instrs.get(ip..ip + ANEXT_TAIL) {
        Some(&[Instr::LoadConst(c), Instr::YieldFrom]) => code.consts[c as usize].is_none(),
        _ => false,
    }
}

/// Whether `o`'s class is exactly `cls` (not a subclass, which may override the special
/// methods a fast path stands for).
#[inline(always)]
fn is_exact(o: &Obj, cls: &Obj) -> bool {
    o.class_raw().is_some_and(|c| Rc::ptr_eq(c, cls))
}

/// An index in range of a sequence of `len` items, negative indices counting from the end.
#[inline(always)]
fn in_range(i: i64, len: usize) -> Option<usize> {
    let j = if i < 0 { i + len as i64 } else { i };
    (0..len as i64).contains(&j).then_some(j as usize)
}

impl Vm {
    /// `obj[idx]` without a call for the common built-in cases: an exact list or tuple
    /// indexed by an int in range, an ASCII `str` indexed by an int in range or sliced
    /// with int or `None` bounds and no step. `None` sends the caller to the general path
    /// (which also raises the errors). A subclass may override `__getitem__`, so only
    /// exact types qualify; `str` values are always exact.
    #[inline(always)]
    fn subscr_fast(&self, obj: &Value, idx: &Value) -> Option<Value> {
        match (obj, idx) {
            (Value::Obj(o), Value::Int(i)) => match &o.payload {
                Payload::List(l) if is_exact(o, &self.types.list) => {
                    let l = l.borrow();
                    in_range(*i, l.len()).map(|j| l[j].clone())
                }
                Payload::Tuple(t) if is_exact(o, &self.types.tuple) => {
                    in_range(*i, t.len()).map(|j| t[j].clone())
                }
                _ => None,
            },
            (Value::Str(s), Value::Int(i)) if s.is_ascii() => {
                let j = in_range(*i, s.len())?;
                Some(Value::str(s.substring(j, j + 1)))
            }
            (Value::Str(s), Value::Obj(o)) if s.is_ascii() => {
                let Payload::Slice(sl) = &o.payload else {
                    return None;
                };
                let bound = |v: &Value, default: usize| -> Option<usize> {
                    let n = s.len() as i64;
                    match v {
                        Value::None => Some(default),
                        Value::Int(i) if *i < 0 => Some((i + n).max(0) as usize),
                        Value::Int(i) => Some((*i).min(n) as usize),
                        _ => None,
                    }
                };
                if !matches!(sl[2], Value::None) {
                    return None;
                }
                let a = bound(&sl[0], 0)?;
                let b = bound(&sl[1], s.len())?;
                Some(Value::str(if a < b { s.substring(a, b) } else { "" }))
            }
            _ => None,
        }
    }
}

/// `lst.append(x)` as `CallMethod(1)` sees it (CPython 3.11 specializes the same call):
/// when the method on the stack at `callee_pos` is `list.append` itself and the receiver a
/// list, appends and leaves `None` in place of the callee, self and argument.
#[inline(always)]
fn list_append_fast(stack: &mut Vec<Value>, callee_pos: usize) -> bool {
    if !is_native_fn(&stack[callee_pos], crate::builtins::list::append) {
        return false;
    }
    let Some(Payload::List(_)) = stack[callee_pos + 1].payload() else {
        return false;
    };
    let x = stack.pop().expect("stack");
    if let Some(Payload::List(l)) = stack[callee_pos + 1].payload() {
        l.borrow_mut().push(x);
    }
    stack.truncate(callee_pos);
    stack.push(Value::None);
    true
}

impl Vm {
    /// Runs `frame` to completion (or its first yield) and returns its value. Internal:
    /// hosts run code with [`Vm::run_code`] or the entry points.
    pub(crate) fn run_frame(&mut self, frame: Box<Frame>) -> PyResult {
        match self.run(frame)? {
            Outcome::Return(v) | Outcome::Yield(v) => Ok(v),
        }
    }

    /// Runs `frame` and everything it calls until it returns or yields.
    pub(crate) fn run(&mut self, frame: Box<Frame>) -> Result<Outcome, Obj> {
        let base = self.frames.len();
        self.run_at(frame, base)
    }

    /// Runs `frame`, whose callers down to `Vm::frames[base]` are on `Vm::frames` (a
    /// resumed thread's), until the frame at `base` returns or yields.
    pub(crate) fn run_at(&mut self, frame: Box<Frame>, base: usize) -> Result<Outcome, Obj> {
        if base + self.native_depth > self.recursion_limit + 50 {
            return Err(self.new_recursion_error(""));
        }
        self.native_depth += 1;
        let r = self.run_inner(frame, base);
        self.native_depth -= 1;
        r
    }

    fn run_inner(&mut self, mut f: Box<Frame>, base: usize) -> Result<Outcome, Obj> {
        // A throw pending on a freshly resumed frame is raised at its resume point.
        let mut pending: Option<Event> = None;
        if let Some(exc) = f.take_pending_throw() {
            if !f.at_yield_from() {
                pending = Some(Event::Raise(self.exc_from_value(exc)));
            } else {
                f.set_pending_throw(exc);
            }
        }
        'frames: loop {
            // SAFETY: `f` holds an `Rc` to its code, which no instruction replaces, and
            // `code` is not used once `f` changes: every switch of frames continues
            // `'frames`, which derives it again. (A clone would count a reference per switch.)
            let code: &crate::code::Code = unsafe { &*Rc::as_ptr(&f.code) };
            let instrs: &[Instr] = &code.instrs;
            // The instruction pointer lives in a local (a register) while this frame runs.
            // `f.ip` is written back only where the frame can be looked at: when it is lent
            // to native code (the `with_frame!` and `call_native_in_place!` below) and when
            // the dispatch loop ends with an event (tracebacks, calls, yields).
            let mut ip = f.ip as usize;
            macro_rules! jump {
                ($t:expr) => {{
                    ip = $t as usize;
                }};
            }
            let event = if let Some(ev) = pending.take() {
                ev
            } else {
                loop {
                    // Calls native code with the running frame visible on `Vm::frames`
                    // (its instruction pointer stored first, for tracebacks and frame
                    // introspection).
                    macro_rules! with_frame {
                        ($vm:ident, $f:ident, $e:expr) => {{
                            $f.ip = ip as u32;
                            $vm.frames.push($f);
                            let r = $e;
                            $f = $vm.frames.pop().expect("frame");
                            r
                        }};
                    }
                    // `call_native_lent!` with the instruction pointer stored first.
                    macro_rules! call_native_in_place {
                        ($vm:ident, $f:ident, $callee_pos:expr, $start:expr, $self_found:expr) => {{
                            $f.ip = ip as u32;
                            call_native_lent!($vm, $f, $callee_pos, $start, $self_found)
                        }};
                    }
                    // A call of the class at `$callee_pos` (arguments from `$start`) that
                    // the instruction's cache remembers: the instance replaces the callee
                    // and arguments, and its `__init__` runs as a frame.
                    macro_rules! cached_class_call {
                        ($callee_pos:expr, $start:expr) => {{
                            let callee_pos = $callee_pos;
                            let slot = &code.attr_cache[ip - 1];
                            if let Some(init) =
                                crate::attr::cached_class_init(slot, &f.stack[callee_pos])
                            {
                                let Value::Obj(cls) = f.stack[callee_pos].clone() else {
                                    unreachable!("a cached class")
                                };
                                f.ip = ip as u32;
                                let r =
                                    self.enter_cached_init(&cls, &init, &f.stack[$start..], &[]);
                                break match r {
                                    Ok((inst, nf)) => {
                                        f.stack.truncate(callee_pos);
                                        f.stack.push(inst);
                                        Event::Push(nf)
                                    }
                                    Err(e) => Event::Raise(e),
                                };
                            }
                        }};
                    }
                    // A cached property of `$obj`: its getter runs as a frame, whose
                    // return value the `LoadAttr` pushes.
                    macro_rules! property_frame {
                        ($slot:ident, $obj:ident) => {{
                            if let Some(fget) = crate::attr::cached_property_getter($slot, &$obj) {
                                let Payload::Function(func) = &fget.payload else {
                                    unreachable!("a cached getter is a function")
                                };
                                let frame = self.function_frame(
                                    &fget,
                                    func,
                                    Some(&$obj),
                                    &[],
                                    &[],
                                    Delivery::Call,
                                );
                                break match frame {
                                    Ok(nf) => Event::Push(nf),
                                    Err(e) => Event::Raise(e),
                                };
                            }
                        }};
                    }
                    // A superinstruction starting with `LoadFast(a)` and a second operand
                    // (`$second(b)`: a constant or a local): `$fast(x, y)` handles ints and
                    // floats and moves `ip` past the run (`Some`); anything else pushes the
                    // local and runs the rest of the run, left in place, as usual.
                    macro_rules! local_operand_op {
                        ($p:expr, |$b:ident| $second:expr, |$x:ident, $y:ident| $fast:expr) => {{
                            let (a, $b) = crate::code::unpack_pair($p);
                            let Some($x) = &f.locals[a] else {
                                break Event::Raise(self.unbound_local(code, a));
                            };
                            if let Some($y) = $second {
                                if $fast.is_some() {
                                    continue;
                                }
                            }
                            let v = $x.clone();
                            f.stack.push(v);
                        }};
                    }
                    // `LoadAttr` of name `$n` on `$obj` (the `LoadAttr` just run is at
                    // `ip - 1`, where its cache slot is): cached, else the full lookup.
                    macro_rules! load_attr {
                        ($obj:ident, $n:expr) => {{
                            let name = &code.names[$n];
                            let slot = &code.attr_cache[ip - 1];
                            if let Some(v) = crate::attr::cached_load_attr(slot, &$obj, name) {
                                f.stack.push(v);
                                continue;
                            }
                            if let Some(v) =
                                crate::attr::cached_load_bound_method(self, slot, &$obj, name)
                            {
                                f.stack.push(v);
                                continue;
                            }
                            property_frame!(slot, $obj);
                            // A miss refills the cache for this object's class (an
                            // instruction in a base class's method sees several classes).
                            if self.fill_load_attr_cache(slot, &$obj, name) {
                                if let Some(v) = crate::attr::cached_load_attr(slot, &$obj, name)
                                    .or_else(|| {
                                        crate::attr::cached_load_bound_method(
                                            self, slot, &$obj, name,
                                        )
                                    })
                                {
                                    f.stack.push(v);
                                    continue;
                                }
                                property_frame!(slot, $obj);
                            }
                            let v = tri!(with_frame!(self, f, self.get_attr(&$obj, name)));
                            f.stack.push(v);
                        }};
                    }
                    // `StoreAttr` of `$v` to attribute `$n` of `$obj`, through the cache.
                    macro_rules! store_attr {
                        ($obj:ident, $v:ident, $n:expr) => {{
                            let name = &code.names[$n];
                            let slot = &code.attr_cache[ip - 1];
                            if let Err(v) = crate::attr::cached_store_attr(slot, &$obj, name, $v) {
                                self.fill_store_attr_cache(slot, &$obj, name);
                                tri!(with_frame!(self, f, self.set_attr(&$obj, name, v)));
                            }
                        }};
                    }
                    // A keyword call that binds in place (`keyword_simple_call`) runs its
                    // frame, skipping the `await` that follows when it is an eager one.
                    macro_rules! keyword_fast_call {
                        ($callee_pos:expr, $start:expr, $names:expr) => {{
                            let awaited = awaits_at(code, ip);
                            if let Some(nf) = self.keyword_simple_call(
                                &mut f.stack,
                                $callee_pos,
                                $start,
                                $names,
                                awaited,
                            ) {
                                if nf.delivery == Delivery::EagerAwait {
                                    ip += AWAIT_TAIL;
                                }
                                break Event::Push(nf);
                            }
                        }};
                    }
                    // `ForIter` (and its fused forms): a list, tuple or range iterator steps
                    // inline and `$store` takes the item `$v`; an exhausted one jumps to
                    // `$target`. Other iterators push the item (the fused forms then run
                    // their second instruction).
                    macro_rules! for_iter {
                        ($target:expr, $v:ident => $store:expr) => {{
                            if let Some(step) = crate::iter::next_in_sequence(f.stack.last()) {
                                match step {
                                    Some($v) => $store,
                                    None => {
                                        f.stack.pop();
                                        jump!($target);
                                    }
                                }
                                continue;
                            }
                            for_iter_slow!($target);
                        }};
                    }
                    // `ForIter` on an iterator `next_in_sequence` does not step inline: a
                    // generator runs as a frame, anything else through `next`.
                    macro_rules! for_iter_slow {
                        ($target:expr) => {{
                            if let Some(Value::Obj(o)) = f.stack.last() {
                                if let Payload::Generator(g) = &o.payload {
                                    if let Some(nf) =
                                        crate::gen::enter_free_generator(o, g, Delivery::ForIter)
                                    {
                                        break Event::Push(nf);
                                    }
                                }
                            }
                            let it = f.stack.last().expect("stack").clone();
                            if let Value::Obj(o) = &it {
                                if let Payload::Generator(_) = &o.payload {
                                    match tri!(self.resume_generator(
                                        o,
                                        Value::None,
                                        None,
                                        Delivery::ForIter
                                    )) {
                                        Some(nf) => break Event::Push(nf),
                                        None => {
                                            f.stack.pop();
                                            jump!($target);
                                            continue;
                                        }
                                    }
                                }
                            }
                            match tri!(with_frame!(self, f, self.next(&it))) {
                                Some(v) => f.stack.push(v),
                                None => {
                                    f.stack.pop();
                                    jump!($target);
                                }
                            }
                        }};
                    }
                    // `__del__` of objects that died in the previous instruction.
                    if crate::finalize::pending() {
                        with_frame!(self, f, self.run_finalizers());
                    }
                    // SAFETY: the compiler ends every body with a return and keeps every
                    // jump target, handler address and resume point inside it.
                    debug_assert!(ip < instrs.len());
                    let instr = unsafe { *instrs.get_unchecked(ip) };
                    ip += 1;
                    match instr {
                        Instr::Nop => {}
                        Instr::PopTop => {
                            f.stack.pop();
                        }
                        Instr::RotTwo => {
                            let n = f.stack.len();
                            f.stack.swap(n - 1, n - 2);
                        }
                        Instr::RotThree => {
                            let v = f.stack.pop().expect("stack");
                            let n = f.stack.len();
                            f.stack.insert(n - 2, v);
                        }
                        Instr::RotFour => {
                            let v = f.stack.pop().expect("stack");
                            let n = f.stack.len();
                            f.stack.insert(n - 3, v);
                        }
                        Instr::DupTop => {
                            let v = f.stack.last().expect("stack").clone();
                            f.stack.push(v);
                        }
                        Instr::DupTopTwo => {
                            let n = f.stack.len();
                            let a = f.stack[n - 2].clone();
                            let b = f.stack[n - 1].clone();
                            f.stack.push(a);
                            f.stack.push(b);
                        }
                        Instr::LoadConst(i) => f.stack.push(code.consts[i as usize].clone()),
                        Instr::LoadFast(i) => match &f.locals[i as usize] {
                            Some(v) => {
                                let v = v.clone();
                                f.stack.push(v);
                            }
                            None => break Event::Raise(self.unbound_local(code, i as usize)),
                        },
                        Instr::StoreFast(i) => {
                            let v = f.stack.pop();
                            f.locals[i as usize] = v;
                        }
                        Instr::LoadFastLoadFast(p) => {
                            let (a, b) = crate::code::unpack_pair(p);
                            let Some(v) = f.locals[a].clone() else {
                                break Event::Raise(self.unbound_local(code, a));
                            };
                            f.stack.push(v);
                            ip += 1;
                            let Some(v) = f.locals[b].clone() else {
                                break Event::Raise(self.unbound_local(code, b));
                            };
                            f.stack.push(v);
                        }
                        Instr::LoadFastLoadConst(p) => {
                            let (a, b) = crate::code::unpack_pair(p);
                            let Some(v) = f.locals[a].clone() else {
                                break Event::Raise(self.unbound_local(code, a));
                            };
                            f.stack.push(v);
                            ip += 1;
                            f.stack.push(code.consts[b].clone());
                        }
                        Instr::LoadFastConstBinary(op, p) => {
                            local_operand_op!(p, |k| Some(&code.consts[k]), |x, y| {
                                binary_and_skip(op, x, y, &mut f.stack, &mut ip)
                            });
                        }
                        Instr::LoadFastLocalBinary(op, p) => {
                            local_operand_op!(p, |b| f.locals[b].as_ref(), |x, y| {
                                binary_and_skip(op, x, y, &mut f.stack, &mut ip)
                            });
                        }
                        Instr::LoadFastConstCompareJump(op, p) => {
                            local_operand_op!(p, |k| Some(&code.consts[k]), |x, y| {
                                compare_and_jump(op, x, y, instrs, &mut ip)
                            });
                        }
                        Instr::LoadFastLocalCompareJump(op, p) => {
                            local_operand_op!(p, |b| f.locals[b].as_ref(), |x, y| {
                                compare_and_jump(op, x, y, instrs, &mut ip)
                            });
                        }
                        Instr::ConstBinary(op, k) => {
                            let c = &code.consts[k as usize];
                            if let Some(top) = f.stack.last_mut() {
                                if let Some(r) = scalar_binary_values(op, top, c) {
                                    // The top is an int or a float: it owns nothing to drop.
                                    // SAFETY: `top` is a valid, initialised slot.
                                    unsafe { std::ptr::write(top, r) };
                                    ip += 1;
                                    continue;
                                }
                            }
                            f.stack.push(c.clone());
                        }
                        Instr::StoreFastLoadFast(p) => {
                            let (a, b) = crate::code::unpack_pair(p);
                            let v = f.stack.pop();
                            f.locals[a] = v;
                            ip += 1;
                            let Some(v) = f.locals[b].clone() else {
                                break Event::Raise(self.unbound_local(code, b));
                            };
                            f.stack.push(v);
                        }
                        Instr::DeleteFast(i) => {
                            if f.locals[i as usize].take().is_none() {
                                break Event::Raise(self.unbound_local(code, i as usize));
                            }
                        }
                        Instr::LoadDeref(i) => {
                            let v = match &f.cells()[i as usize].payload {
                                Payload::Cell(c) => c.borrow().clone(),
                                _ => None,
                            };
                            match v {
                                Some(v) => f.stack.push(v),
                                None => break Event::Raise(self.unbound_deref(code, i as usize)),
                            }
                        }
                        Instr::LoadClassDeref(i) => {
                            let name = deref_name(code, i as usize);
                            let ns = f.namespace().cloned();
                            if let Some(v) = ns.and_then(|ns| self.dict_get_str(&ns, &name)) {
                                f.stack.push(v);
                            } else {
                                let v = match &f.cells()[i as usize].payload {
                                    Payload::Cell(c) => c.borrow().clone(),
                                    _ => None,
                                };
                                match v {
                                    Some(v) => f.stack.push(v),
                                    None => {
                                        break Event::Raise(self.unbound_deref(code, i as usize))
                                    }
                                }
                            }
                        }
                        Instr::StoreDeref(i) => {
                            let v = f.stack.pop();
                            if let Payload::Cell(c) = &f.cells()[i as usize].payload {
                                *c.borrow_mut() = v;
                            }
                        }
                        Instr::DeleteDeref(i) => {
                            let old = match &f.cells()[i as usize].payload {
                                Payload::Cell(c) => c.borrow_mut().take(),
                                _ => None,
                            };
                            if old.is_none() {
                                break Event::Raise(self.unbound_deref(code, i as usize));
                            }
                        }
                        Instr::LoadClosure(i) => {
                            f.stack.push(Value::Obj(f.cells()[i as usize].clone()))
                        }
                        Instr::LoadGlobal(i) => match self.load_global(code, &f.globals, i) {
                            Some(v) => f.stack.push(v),
                            None => break Event::Raise(self.name_error(&code.names[i as usize])),
                        },
                        Instr::StoreGlobal(i) => {
                            let v = f.stack.pop().expect("stack");
                            let old = store_global(code, &f.globals, i, v);
                            drop(old);
                        }
                        Instr::DeleteGlobal(i) => {
                            let name = &code.names[i as usize];
                            let old = match &f.globals.payload {
                                Payload::Dict(d) => d.borrow_mut().remove_str(name),
                                _ => None,
                            };
                            if old.is_none() {
                                break Event::Raise(self.name_error(name));
                            }
                        }
                        Instr::LoadName(i) => {
                            let name = &code.names[i as usize];
                            let local = f.namespace().and_then(|ns| self.dict_get_str(ns, name));
                            let v = local
                                .or_else(|| self.dict_get_str(&f.globals, name))
                                .or_else(|| self.builtin(name));
                            match v {
                                Some(v) => f.stack.push(v),
                                None => break Event::Raise(self.name_error(name)),
                            }
                        }
                        Instr::StoreName(i) => {
                            let v = f.stack.pop().expect("stack");
                            let ns = f.namespace().cloned().unwrap_or_else(|| f.globals.clone());
                            let key = Value::Str(code.names[i as usize].clone());
                            if let Payload::Dict(d) = &ns.payload {
                                if Rc::ptr_eq(ns.class_raw().expect("class"), &self.types.dict) {
                                    d.borrow_mut().set_str(code.names[i as usize].clone(), v);
                                    continue;
                                }
                            }
                            tri!(with_frame!(self, f, self.setitem(&Value::Obj(ns), key, v)));
                        }
                        Instr::DeleteName(i) => {
                            let ns = f.namespace().cloned().unwrap_or_else(|| f.globals.clone());
                            let name = &code.names[i as usize];
                            let old = match &ns.payload {
                                Payload::Dict(d) => d.borrow_mut().remove_str(name),
                                _ => None,
                            };
                            if old.is_none() {
                                break Event::Raise(self.name_error(name));
                            }
                        }
                        Instr::LoadAttr(i) => {
                            let obj = f.stack.pop().expect("stack");
                            load_attr!(obj, i as usize);
                        }
                        Instr::LoadFastLoadAttr(p) => {
                            let (a, n) = crate::code::unpack_pair(p);
                            // Past the `LoadAttr`, whose cache slot the paths below read.
                            ip += 1;
                            // An instance-dict attribute of the local, read in place.
                            if let Some(Some(Value::Obj(o))) = f.locals.get(a) {
                                let slot = &code.attr_cache[ip - 1];
                                let name = &code.names[n];
                                if let Some(v) = crate::attr::cached_dict_value(slot, o, name) {
                                    f.stack.push(v);
                                    continue;
                                }
                            }
                            let Some(obj) = f.locals[a].clone() else {
                                // The error belongs to the `LoadFast`.
                                ip -= 1;
                                break Event::Raise(self.unbound_local(code, a));
                            };
                            load_attr!(obj, n);
                        }
                        Instr::StoreAttr(i) => {
                            let obj = f.stack.pop().expect("stack");
                            let v = f.stack.pop().expect("stack");
                            store_attr!(obj, v, i as usize);
                        }
                        Instr::LoadFastStoreAttr(p) => {
                            let (a, n) = crate::code::unpack_pair(p);
                            // Past the `StoreAttr`, whose cache slot the paths below read.
                            ip += 1;
                            let v = f.stack.pop().expect("stack");
                            // A store into the instance dict of the local, read in place.
                            let v = match f.locals.get(a) {
                                Some(Some(Value::Obj(o))) => {
                                    let slot = &code.attr_cache[ip - 1];
                                    match crate::attr::cached_store_obj(slot, o, &code.names[n], v)
                                    {
                                        Ok(()) => continue,
                                        Err(v) => v,
                                    }
                                }
                                _ => v,
                            };
                            let Some(obj) = f.locals[a].clone() else {
                                // The error belongs to the `LoadFast`, the value still
                                // below it.
                                f.stack.push(v);
                                ip -= 1;
                                break Event::Raise(self.unbound_local(code, a));
                            };
                            store_attr!(obj, v, n);
                        }
                        Instr::DeleteAttr(i) => {
                            let obj = f.stack.pop().expect("stack");
                            let name = &code.names[i as usize];
                            tri!(with_frame!(self, f, self.del_attr(&obj, name)));
                        }
                        Instr::LoadMethod(i) => {
                            let obj = f.stack.pop().expect("stack");
                            let name = &code.names[i as usize];
                            let slot = &code.attr_cache[ip - 1];
                            if let Some(m) = crate::attr::cached_load_method(slot, &obj, name) {
                                f.stack.push(m);
                                f.stack.push(obj);
                                continue;
                            }
                            // `module.function(...)` and `Class.function(...)`: the
                            // module's or class's attribute, no `self`.
                            let module = match &obj {
                                Value::Obj(o)
                                    if matches!(
                                        o.payload,
                                        Payload::Module(_) | Payload::Type(_)
                                    ) =>
                                {
                                    if let Some(v) = crate::attr::cached_load_attr(slot, &obj, name)
                                    {
                                        f.stack.push(v);
                                        f.stack.push(self.null());
                                        continue;
                                    }
                                    Some(obj.clone())
                                }
                                _ => None,
                            };
                            // `super().m`: the method found is not the instance class's.
                            let via_super = matches!(obj.payload(), Some(Payload::Super(_)));
                            let (m, selfv) =
                                tri!(with_frame!(self, f, self.load_method(obj, name)));
                            if let Some(s) = selfv.as_ref().filter(|_| !via_super) {
                                self.fill_load_method_cache(slot, s, &m);
                            } else if let Some(module) = module {
                                self.fill_load_attr_cache(slot, &module, name);
                            }
                            f.stack.push(m);
                            f.stack.push(selfv.unwrap_or_else(|| self.null()));
                        }
                        Instr::CallMethod(n) => {
                            let n = n as usize;
                            let len = f.stack.len();
                            let self_pos = len - n - 1;
                            let has_self = !self.is_null(&f.stack[self_pos]);
                            let start = if has_self { self_pos } else { self_pos + 1 };
                            if let Some(nf) = self.simple_call(&mut f.stack, self_pos - 1, start) {
                                break Event::Push(nf);
                            }
                            if let Some(nf) =
                                self.eager_await_call(&mut f.stack, self_pos - 1, start, code, ip)
                            {
                                ip += AWAIT_TAIL;
                                break Event::Push(nf);
                            }
                            if self.simple_gen_call(&mut f.stack, self_pos - 1, start) {
                                continue;
                            }
                            if has_self && n == 1 {
                                if list_append_fast(&mut f.stack, self_pos - 1) {
                                    continue;
                                }
                                if let Some(r) = self.send_fast(&mut f.stack, self_pos - 1) {
                                    break match r {
                                        Ok(nf) => Event::Push(nf),
                                        Err(e) => Event::Raise(e),
                                    };
                                }
                            }
                            // `module.Class(...)`: the class-call cache, as for `Call`.
                            if !has_self {
                                cached_class_call!(self_pos - 1, start);
                            }
                            call_native_in_place!(self, f, self_pos - 1, start, has_self);
                            let callee = f.stack[self_pos - 1].clone();
                            let class = heap_class(&callee).filter(|_| !has_self);
                            let args = self.take_call_args(&mut f.stack, start);
                            f.stack.truncate(self_pos - 1);
                            let r = with_frame!(self, f, self.prepare_call(callee, &args, &[]));
                            self.give_back_call_args(args);
                            match tri!(r) {
                                Prepared::Value(v) => f.stack.push(v),
                                Prepared::Frame(nf) => {
                                    if let Some(cls) =
                                        class.filter(|_| nf.delivery == Delivery::Init)
                                    {
                                        self.fill_class_init_cache(&code.attr_cache[ip - 1], &cls);
                                    }
                                    break Event::Push(nf);
                                }
                            }
                        }
                        Instr::Call(n) => {
                            let n = n as usize;
                            let len = f.stack.len();
                            if let Some(nf) = self.simple_call(&mut f.stack, len - n - 1, len - n) {
                                break Event::Push(nf);
                            }
                            if let Some(nf) =
                                self.eager_await_call(&mut f.stack, len - n - 1, len - n, code, ip)
                            {
                                ip += AWAIT_TAIL;
                                break Event::Push(nf);
                            }
                            if self.simple_gen_call(&mut f.stack, len - n - 1, len - n) {
                                continue;
                            }
                            // A class whose instances `__init__` makes, as cached.
                            cached_class_call!(len - n - 1, len - n);
                            call_native_in_place!(self, f, len - n - 1, len - n, false);
                            // An instance with a native `__call__` (an `lru_cache` wrapper, a
                            // `partial`): the callee and arguments on the stack are its
                            // arguments.
                            if let Some(m) = self.native_call_method(&f.stack[len - n - 1]) {
                                f.ip = ip as u32;
                                call_lent!(self, f, len - n - 1, |stack| match &m.payload {
                                    Payload::Native(nf) => crate::call::call_native(
                                        self,
                                        nf,
                                        crate::native::Args {
                                            pos: &stack[len - n - 1..],
                                            kw: &[],
                                        },
                                        false,
                                    ),
                                    _ => unreachable!(),
                                });
                            }
                            let args = self.take_call_args(&mut f.stack, len - n);
                            let callee = f.stack.pop().expect("stack");
                            // A script class: its next calls here may take the cache above.
                            let class = heap_class(&callee);
                            let r = with_frame!(self, f, self.prepare_call(callee, &args, &[]));
                            self.give_back_call_args(args);
                            match tri!(r) {
                                Prepared::Value(v) => f.stack.push(v),
                                Prepared::Frame(nf) => {
                                    if let Some(cls) =
                                        class.filter(|_| nf.delivery == Delivery::Init)
                                    {
                                        self.fill_class_init_cache(&code.attr_cache[ip - 1], &cls);
                                    }
                                    break Event::Push(nf);
                                }
                            }
                        }
                        Instr::CallKw(n) => {
                            let names = f.stack.pop().expect("stack");
                            let names: &[Value] = match names.payload() {
                                Some(Payload::Tuple(t)) => t,
                                _ => &[],
                            };
                            let n = n as usize;
                            let start = f.stack.len() - n;
                            keyword_fast_call!(start - 1, start, names);
                            let (all, kw) =
                                keyword_call_args(&mut f.stack, start, n - names.len(), names);
                            let callee = f.stack.pop().expect("stack");
                            // A class whose instances `__init__` makes (`Point(x=1, y=2)`):
                            // the cache, or the general path, which may fill it.
                            let class = heap_class(&callee);
                            let slot = &code.attr_cache[ip - 1];
                            if let Some(cls) = &class {
                                if let Some(init) = crate::attr::cached_class_init(slot, &callee) {
                                    f.ip = ip as u32;
                                    break match self.enter_cached_init(cls, &init, &all, &kw) {
                                        Ok((inst, nf)) => {
                                            f.stack.push(inst);
                                            Event::Push(nf)
                                        }
                                        Err(e) => Event::Raise(e),
                                    };
                                }
                            }
                            match tri!(with_frame!(self, f, self.prepare_call(callee, &all, &kw))) {
                                Prepared::Value(v) => f.stack.push(v),
                                Prepared::Frame(nf) => {
                                    if let Some(cls) =
                                        class.filter(|_| nf.delivery == Delivery::Init)
                                    {
                                        self.fill_class_init_cache(slot, &cls);
                                    }
                                    break Event::Push(nf);
                                }
                            }
                        }
                        Instr::CallMethodKw(n) => {
                            let names = f.stack.pop().expect("stack");
                            let names: &[Value] = match names.payload() {
                                Some(Payload::Tuple(t)) => t,
                                _ => &[],
                            };
                            let n = n as usize;
                            let self_pos = f.stack.len() - n - 1;
                            // `self` is the first positional argument; a null is dropped.
                            let has_self = !self.is_null(&f.stack[self_pos]);
                            let start = if has_self { self_pos } else { self_pos + 1 };
                            keyword_fast_call!(self_pos - 1, start, names);
                            if !has_self {
                                f.stack.remove(self_pos);
                            }
                            let npos = n - names.len() + has_self as usize;
                            let (all, kw) = keyword_call_args(&mut f.stack, self_pos, npos, names);
                            let callee = f.stack.pop().expect("stack");
                            match tri!(with_frame!(self, f, self.prepare_call(callee, &all, &kw))) {
                                Prepared::Value(v) => f.stack.push(v),
                                Prepared::Frame(nf) => break Event::Push(nf),
                            }
                        }
                        Instr::CallEx(has_kw) => {
                            let kwargs = if has_kw { f.stack.pop() } else { None };
                            let args = f.stack.pop().expect("stack");
                            let callee = f.stack.pop().expect("stack");
                            let args: Vec<Value> = match args.payload() {
                                Some(Payload::Tuple(t)) => t.to_vec(),
                                _ => Vec::new(),
                            };
                            let mut kw: Vec<(Rc<Str>, Value)> = Vec::new();
                            if let Some(Value::Obj(d)) = &kwargs {
                                if let Payload::Dict(d) = &d.payload {
                                    for e in d.borrow().iter() {
                                        if let Some(k) = e.key.as_str() {
                                            kw.push((k.clone(), e.value.clone()));
                                        }
                                    }
                                }
                            }
                            match tri!(with_frame!(self, f, self.prepare_call(callee, &args, &kw)))
                            {
                                Prepared::Value(v) => f.stack.push(v),
                                Prepared::Frame(nf) => break Event::Push(nf),
                            }
                        }
                        Instr::BinarySubscr => {
                            let idx = f.stack.pop().expect("stack");
                            let obj = f.stack.pop().expect("stack");
                            if let Some(v) = self.subscr_fast(&obj, &idx) {
                                f.stack.push(v);
                                continue;
                            }
                            if let Some(Some(v)) = self.exact_dict_get(&obj, &idx) {
                                f.stack.push(v);
                                continue;
                            }
                            let v = tri!(with_frame!(self, f, self.getitem(&obj, &idx)));
                            f.stack.push(v);
                        }
                        Instr::ConstSubscr(k) => {
                            let key = &code.consts[k as usize];
                            if let Some(top) = f.stack.last_mut() {
                                let found = match self.subscr_fast(top, key) {
                                    Some(v) => Some(v),
                                    None => self.exact_dict_get(top, key).flatten(),
                                };
                                if let Some(v) = found {
                                    *top = v;
                                    ip += 1;
                                    continue;
                                }
                            }
                            f.stack.push(key.clone());
                        }
                        Instr::StoreSubscr => {
                            let idx = f.stack.pop().expect("stack");
                            let obj = f.stack.pop().expect("stack");
                            let v = f.stack.pop().expect("stack");
                            if let (Value::Obj(o), Value::Int(i)) = (&obj, &idx) {
                                if let Payload::List(l) = &o.payload {
                                    if is_exact(o, &self.types.list) {
                                        let mut l = l.borrow_mut();
                                        let n = l.len() as i64;
                                        let j = if *i < 0 { i + n } else { *i };
                                        if j >= 0 && j < n {
                                            l[j as usize] = v;
                                            continue;
                                        }
                                    }
                                }
                            }
                            tri!(with_frame!(self, f, self.setitem(&obj, idx, v)));
                        }
                        Instr::DeleteSubscr => {
                            let idx = f.stack.pop().expect("stack");
                            let obj = f.stack.pop().expect("stack");
                            tri!(with_frame!(self, f, self.delitem(&obj, &idx)));
                        }
                        Instr::Binary(op) => {
                            if let Some(r) = scalar_binary(op, &f.stack) {
                                replace_scalar_pair(&mut f.stack, r);
                                continue;
                            }
                            let b = f.stack.pop().expect("stack");
                            let a = f.stack.pop().expect("stack");
                            let v = tri!(with_frame!(self, f, self.binary_op(&a, &b, op)));
                            f.stack.push(v);
                        }
                        Instr::Inplace(op) => {
                            // Ints and floats are immutable: `+=` is `+`.
                            if let Some(r) = scalar_binary(op, &f.stack) {
                                replace_scalar_pair(&mut f.stack, r);
                                continue;
                            }
                            if op == BinOp::Add {
                                // SAFETY: as for `instr`: a body ends with a return.
                                let next = unsafe { *instrs.get_unchecked(ip) };
                                let done = match crate::ops::concat_in_place(
                                    &mut f.stack,
                                    &mut f.locals,
                                    next,
                                    false,
                                ) {
                                    Ok(done) => done,
                                    Err(len) => {
                                        tri!(with_frame!(self, f, self.check_allocation(len)));
                                        crate::ops::concat_in_place(
                                            &mut f.stack,
                                            &mut f.locals,
                                            next,
                                            true,
                                        )
                                        .unwrap_or(false)
                                    }
                                };
                                if done {
                                    continue;
                                }
                            }
                            let b = f.stack.pop().expect("stack");
                            let a = f.stack.pop().expect("stack");
                            let v = tri!(with_frame!(self, f, self.inplace_op(a, &b, op)));
                            f.stack.push(v);
                        }
                        Instr::Unary(op) => {
                            let a = f.stack.pop().expect("stack");
                            let v = if op == UnaryOp::Not {
                                Value::bool(!tri!(with_frame!(self, f, self.is_true(&a))))
                            } else {
                                tri!(with_frame!(self, f, self.unary_op(&a, op)))
                            };
                            f.stack.push(v);
                        }
                        Instr::Compare(op) => {
                            if let Some(r) = scalar_compare(op, &f.stack) {
                                replace_scalar_pair(&mut f.stack, Value::bool(r));
                                continue;
                            }
                            let b = f.stack.pop().expect("stack");
                            let a = f.stack.pop().expect("stack");
                            let v = tri!(with_frame!(self, f, self.compare(&a, &b, op)));
                            f.stack.push(v);
                        }
                        Instr::ConstCompareJump(op, k) => {
                            let y = &code.consts[k as usize];
                            // `ip` is at the `Compare`; the jump follows it.
                            if let Some(r) =
                                f.stack.last().and_then(|x| scalar_compare_values(op, x, y))
                            {
                                let target = match instrs.get(ip + 1) {
                                    Some(&Instr::PopJumpIfFalse(t)) => Some((!r, t)),
                                    Some(&Instr::PopJumpIfTrue(t)) => Some((r, t)),
                                    _ => None,
                                };
                                if let Some((jumps, t)) = target {
                                    // SAFETY: the top is an int or a float (compared
                                    // above), which owns nothing.
                                    unsafe { f.stack.set_len(f.stack.len() - 1) };
                                    ip = if jumps { t as usize } else { ip + 2 };
                                    continue;
                                }
                            }
                            f.stack.push(y.clone());
                        }
                        Instr::CompareJumpIfFalse(op, t) => {
                            if let Some(r) = scalar_compare(op, &f.stack) {
                                drop_scalar_pair(&mut f.stack);
                                ip += 1;
                                if !r {
                                    jump!(t);
                                }
                                continue;
                            }
                            let b = f.stack.pop().expect("stack");
                            let a = f.stack.pop().expect("stack");
                            let truth = {
                                let v = tri!(with_frame!(self, f, self.compare(&a, &b, op)));
                                // A failing `__bool__` is the jump's error.
                                ip += 1;
                                match v {
                                    Value::Bool(b) => b.get(),
                                    _ => tri!(with_frame!(self, f, self.is_true(&v))),
                                }
                            };
                            if !truth {
                                jump!(t);
                            }
                        }
                        Instr::IsOp(invert) => {
                            let b = f.stack.pop().expect("stack");
                            let a = f.stack.pop().expect("stack");
                            f.stack.push(Value::bool(a.is(&b) != invert));
                        }
                        Instr::ContainsOp(invert) => {
                            let container = f.stack.pop().expect("stack");
                            let item = f.stack.pop().expect("stack");
                            let r = match self.exact_dict_get(&container, &item) {
                                Some(found) => found.is_some(),
                                None => {
                                    tri!(with_frame!(self, f, self.contains(&container, &item)))
                                }
                            };
                            f.stack.push(Value::bool(r != invert));
                        }
                        Instr::Jump(t) => {
                            // A backward jump is a loop iteration: where Ctrl-C and the
                            // host's limits land (`embed/limits.rs`).
                            if (t as usize) < ip {
                                tri!(self.tick_at_loop(t));
                            }
                            jump!(t)
                        }
                        Instr::PopJumpIfFalse(t) => {
                            let v = f.stack.pop().expect("stack");
                            let b = match v {
                                Value::Bool(b) => b.get(),
                                _ => tri!(with_frame!(self, f, self.is_true(&v))),
                            };
                            if !b {
                                jump!(t);
                            }
                        }
                        Instr::PopJumpIfTrue(t) => {
                            let v = f.stack.pop().expect("stack");
                            let b = match v {
                                Value::Bool(b) => b.get(),
                                _ => tri!(with_frame!(self, f, self.is_true(&v))),
                            };
                            if b {
                                jump!(t);
                            }
                        }
                        Instr::JumpIfFalseOrPop(t) => {
                            let b = match f.stack.last().expect("stack") {
                                Value::Bool(b) => b.get(),
                                v => {
                                    let v = v.clone();
                                    tri!(with_frame!(self, f, self.is_true(&v)))
                                }
                            };
                            if !b {
                                jump!(t);
                            } else {
                                f.stack.pop();
                            }
                        }
                        Instr::JumpIfTrueOrPop(t) => {
                            let b = match f.stack.last().expect("stack") {
                                Value::Bool(b) => b.get(),
                                v => {
                                    let v = v.clone();
                                    tri!(with_frame!(self, f, self.is_true(&v)))
                                }
                            };
                            if b {
                                jump!(t);
                            } else {
                                f.stack.pop();
                            }
                        }
                        Instr::GetIter => {
                            let v = f.stack.pop().expect("stack");
                            let it = tri!(with_frame!(self, f, self.get_iter(&v)));
                            f.stack.push(it);
                        }
                        Instr::ForIter(target) => for_iter!(target, v => f.stack.push(v)),
                        // The pairs' second instruction (`StoreFast`/`StoreGlobal`) stays in
                        // place: every path but the inline one pushes the item and runs it.
                        Instr::ForIterStoreFast(p) => {
                            let (target, a) = crate::code::unpack_pair(p);
                            for_iter!(target, v => {
                                f.locals[a] = Some(v);
                                ip += 1;
                            })
                        }
                        Instr::ForIterStoreGlobal(p) => {
                            let (target, n) = crate::code::unpack_pair(p);
                            for_iter!(target, v => {
                                ip += 1;
                                let old = store_global(code, &f.globals, n as u32, v);
                                drop(old);
                            })
                        }
                        Instr::GetAIter => {
                            let v = f.stack.pop().expect("stack");
                            let it = tri!(with_frame!(self, f, self.get_aiter(&v)));
                            f.stack.push(it);
                        }
                        Instr::GetANext => {
                            // `async for` over an async generator free to step: its body
                            // runs as this frame's callee, with no awaitable
                            // (`Delivery::AsyncFor`).
                            if anext_awaited_at(code, ip) {
                                use crate::builtins::asyncgen::{start_async_for, AsyncForStart};
                                let mut start = start_async_for(f.stack.last());
                                if let AsyncForStart::Hooks = start {
                                    let it = f.stack.last().expect("stack").clone();
                                    tri!(with_frame!(
                                        self,
                                        f,
                                        crate::builtins::asyncgen::init_hooks(self, &it)
                                    ));
                                    start = start_async_for(f.stack.last());
                                }
                                if let AsyncForStart::Run(nf) = start {
                                    jump!(ip + ANEXT_TAIL);
                                    break Event::Push(nf);
                                }
                            }
                            let it = f.stack.last().expect("stack").clone();
                            let aw = tri!(with_frame!(self, f, self.get_anext(&it)));
                            f.stack.push(aw);
                        }
                        Instr::EndAsyncFor => {
                            // Handler of an `async for`: stack [aiter, exc].
                            let exc = f.stack.pop().expect("stack");
                            let Value::Obj(e) = &exc else { unreachable!() };
                            if self.is_instance_of(e, &self.exc.stop_async_iteration.clone()) {
                                f.blocks.pop();
                                f.stack.pop();
                            } else {
                                break Event::Reraise(e.clone());
                            }
                        }
                        Instr::BuildTuple(n) => {
                            let len = f.stack.len();
                            let items: Vec<Value> = f.stack.drain(len - n as usize..).collect();
                            f.stack.push(self.new_tuple(items));
                        }
                        Instr::BuildList(n) => {
                            let len = f.stack.len();
                            let items: Vec<Value> = f.stack.drain(len - n as usize..).collect();
                            f.stack.push(self.new_list(items));
                        }
                        Instr::BuildSet(n) => {
                            let len = f.stack.len();
                            let count = (n & !crate::code::CONST_SET_FLAG) as usize;
                            let items: Vec<Value> = f.stack.drain(len - count..).collect();
                            let s = if n & crate::code::CONST_SET_FLAG != 0 {
                                tri!(with_frame!(self, f, self.new_set_from_constants(items)))
                            } else {
                                tri!(with_frame!(self, f, self.new_set_from(items)))
                            };
                            f.stack.push(s);
                        }
                        Instr::BuildMap(n) => {
                            let len = f.stack.len();
                            let items: Vec<Value> = f.stack.drain(len - 2 * n as usize..).collect();
                            let d = tri!(with_frame!(self, f, self.new_dict_from_pairs(items)));
                            f.stack.push(d);
                        }
                        Instr::BuildConstKeyMap(n) => {
                            let keys = f.stack.pop().expect("stack");
                            let len = f.stack.len();
                            let vals: Vec<Value> = f.stack.drain(len - n as usize..).collect();
                            let mut items = Vec::new();
                            if let Some(Payload::Tuple(ks)) = keys.payload() {
                                for (k, v) in ks.iter().zip(vals) {
                                    items.push(k.clone());
                                    items.push(v);
                                }
                            }
                            let d = tri!(with_frame!(self, f, self.new_dict_from_pairs(items)));
                            f.stack.push(d);
                        }
                        Instr::BuildString(n) => {
                            let len = f.stack.len();
                            let parts = &f.stack[len - n as usize..];
                            let (total, chars) = parts
                                .iter()
                                .filter_map(|v| v.as_str())
                                .fold((0, 0), |(b, c), x| (b + x.as_str().len(), c + x.len()));
                            if total >= crate::embed::limits::BIG_BUFFER {
                                tri!(self.check_allocation(total));
                            }
                            let mut s = String::with_capacity(total);
                            for v in f.stack.drain(len - n as usize..) {
                                if let Some(x) = v.as_str() {
                                    s.push_str(x.as_str());
                                }
                            }
                            let s = crate::str::Str::with_chars(s, chars);
                            f.stack.push(Value::Str(Rc::new(s)));
                        }
                        Instr::BuildSlice(n) => {
                            let step = if n == 3 {
                                f.stack.pop().expect("stack")
                            } else {
                                Value::None
                            };
                            let stop = f.stack.pop().expect("stack");
                            let start = f.stack.pop().expect("stack");
                            f.stack.push(self.new_slice(start, stop, step));
                        }
                        Instr::ListAppend(i) => {
                            let v = f.stack.pop().expect("stack");
                            let n = f.stack.len();
                            if let Some(Payload::List(l)) = f.stack[n - i as usize].payload() {
                                l.borrow_mut().push(v);
                            }
                        }
                        Instr::SetAdd(i) => {
                            let v = f.stack.pop().expect("stack");
                            let n = f.stack.len();
                            let s = f.stack[n - i as usize].clone();
                            tri!(with_frame!(self, f, self.set_add(&s, v)));
                        }
                        Instr::MapAdd(i) => {
                            let v = f.stack.pop().expect("stack");
                            let k = f.stack.pop().expect("stack");
                            let n = f.stack.len();
                            let d = f.stack[n - i as usize].clone();
                            tri!(with_frame!(self, f, self.setitem(&d, k, v)));
                        }
                        Instr::ListExtend(i) => {
                            let it = f.stack.pop().expect("stack");
                            let n = f.stack.len();
                            let l = f.stack[n - i as usize].clone();
                            let items = tri!(with_frame!(self, f, self.collect_star(&it)));
                            if let Some(Payload::List(l)) = l.payload() {
                                l.borrow_mut().extend(items);
                            }
                        }
                        Instr::SetUpdate(i) => {
                            let it = f.stack.pop().expect("stack");
                            let n = f.stack.len();
                            let s = f.stack[n - i as usize].clone();
                            let items = tri!(with_frame!(self, f, self.collect(&it)));
                            tri!(with_frame!(
                                self,
                                f,
                                items.into_iter().try_for_each(|v| self.set_add(&s, v))
                            ));
                        }
                        Instr::DictUpdate(i) => {
                            let m = f.stack.pop().expect("stack");
                            let n = f.stack.len();
                            let d = f.stack[n - i as usize].clone();
                            tri!(with_frame!(self, f, self.dict_update_from(&d, &m, None)));
                        }
                        Instr::DictMerge(i) => {
                            // A call's `**m`: the stack is [callee, args, kwargs, m].
                            let m = f.stack.pop().expect("stack");
                            let n = f.stack.len();
                            let d = f.stack[n - i as usize].clone();
                            let callee = f.stack[n - i as usize - 2].clone();
                            tri!(with_frame!(
                                self,
                                f,
                                self.dict_update_from(&d, &m, Some(&callee))
                            ));
                        }
                        Instr::StarArgs => {
                            let v = f.stack.pop().expect("stack");
                            let t = match v.payload() {
                                // An exact tuple (a subclass may override `__iter__`).
                                Some(Payload::Tuple(_)) if !self.is_heap(&v) => v,
                                _ => {
                                    let callee = f.stack.last().expect("callee").clone();
                                    let items = tri!(with_frame!(
                                        self,
                                        f,
                                        self.collect_star_arg(&v, &callee)
                                    ));
                                    self.new_tuple(items)
                                }
                            };
                            f.stack.push(t);
                        }
                        Instr::ListToTuple => {
                            let l = f.stack.pop().expect("stack");
                            let items = match l.payload() {
                                Some(Payload::List(l)) => std::mem::take(&mut *l.borrow_mut()),
                                _ => Vec::new(),
                            };
                            f.stack.push(self.new_tuple(items));
                        }
                        Instr::UnpackSequence(n) => {
                            let v = f.stack.pop().expect("stack");
                            // Fast path: an exact tuple or list of the right length (a
                            // subclass may override `__iter__`), pushed without a vector.
                            if let Value::Obj(o) = &v {
                                if !self.is_heap(&v) {
                                    match &o.payload {
                                        Payload::Tuple(t) if t.len() == n as usize => {
                                            f.stack.extend(t.iter().rev().cloned());
                                            continue;
                                        }
                                        Payload::List(l) if l.borrow().len() == n as usize => {
                                            f.stack.extend(l.borrow().iter().rev().cloned());
                                            continue;
                                        }
                                        _ => {}
                                    }
                                }
                            }
                            let items = tri!(with_frame!(self, f, self.unpack(&v, n as usize)));
                            f.stack.extend(items.into_iter().rev());
                        }
                        Instr::UnpackEx(arg) => {
                            let v = f.stack.pop().expect("stack");
                            let before = (arg & 0xff) as usize;
                            let after = (arg >> 8) as usize;
                            let items = tri!(with_frame!(self, f, self.collect(&v)));
                            if items.len() < before + after {
                                let msg = format!(
                                    "not enough values to unpack (expected at least {}, got {})",
                                    before + after,
                                    items.len()
                                );
                                break Event::Raise(self.new_value_error(msg));
                            }
                            let mut items = items;
                            let tail = items.split_off(items.len() - after);
                            let middle = items.split_off(before);
                            for v in tail.into_iter().rev() {
                                f.stack.push(v);
                            }
                            f.stack.push(self.new_list(middle));
                            for v in items.into_iter().rev() {
                                f.stack.push(v);
                            }
                        }
                        Instr::MakeFunction(flags) => {
                            let code_obj = f.stack.pop().expect("stack");
                            let closure = if flags & 8 != 0 { f.stack.pop() } else { None };
                            let annotations = if flags & 4 != 0 { f.stack.pop() } else { None };
                            let kwdefaults = if flags & 2 != 0 { f.stack.pop() } else { None };
                            let defaults = if flags & 1 != 0 { f.stack.pop() } else { None };
                            let func = self.make_function(
                                &code_obj, &f.globals, defaults, kwdefaults, closure,
                            );
                            if let (Some(ann), Value::Obj(o)) = (annotations, &func) {
                                if let Some(d) = o.dict_table() {
                                    let key = self.names.__annotations__.clone();
                                    d.borrow_mut().set_str(key, ann);
                                }
                            }
                            f.stack.push(func);
                        }
                        Instr::LoadBuildClass => f.stack.push(self.builtin_str("__build_class__")),
                        Instr::ReturnValue => {
                            let v = f.stack.pop().expect("stack");
                            break Event::Return(v);
                        }
                        // The `ReturnValue` after these is skipped: the frame ends here.
                        Instr::ReturnConst(k) => {
                            break Event::Return(code.consts[k as usize].clone());
                        }
                        // The local moves out: the frame's locals are released next.
                        Instr::ReturnFast(a) => match f.locals[a as usize].take() {
                            Some(v) => break Event::Return(v),
                            None => break Event::Raise(self.unbound_local(code, a as usize)),
                        },
                        Instr::SetupFinally(h) => {
                            let level = f.stack.len() as u32;
                            f.push_block(Block::Finally { handler: h, level });
                        }
                        Instr::BeforeWith => {
                            let mgr = f.stack.pop().expect("stack");
                            let (exit, enter, selfv) =
                                tri!(with_frame!(self, f, self.before_with(&mgr)));
                            f.stack.push(exit);
                            f.stack.push(enter);
                            f.stack.push(selfv);
                        }
                        Instr::BeforeAsyncWith => {
                            let mgr = f.stack.pop().expect("stack");
                            let (exit, aw) =
                                tri!(with_frame!(self, f, self.enter_async_context(&mgr)));
                            f.stack.push(exit);
                            f.stack.push(aw);
                        }
                        Instr::SetupWith(h) => {
                            // Stack: [exit, entered]; the block level sits below `entered`.
                            let level = f.stack.len() as u32 - 1;
                            f.push_block(Block::Finally { handler: h, level });
                        }
                        Instr::PopBlock => {
                            f.blocks.pop();
                        }
                        Instr::PopExcept => {
                            f.blocks.pop();
                        }
                        Instr::Reraise => {
                            let v = f.stack.pop().expect("stack");
                            match v {
                                Value::Obj(e) => break Event::Reraise(e),
                                _ => {
                                    break Event::Raise(self.new_type_error(
                                        "exceptions must derive from BaseException",
                                    ))
                                }
                            }
                        }
                        Instr::Raise(n) => {
                            let e = tri!(with_frame!(self, f, self.do_raise(n)));
                            if n == 0 {
                                break Event::Reraise(e);
                            }
                            break Event::Raise(e);
                        }
                        Instr::JumpIfNotExcMatch(t) => {
                            let cls = f.stack.pop().expect("stack");
                            let exc = f.stack.pop().expect("stack");
                            let m = tri!(self.exception_matches(&exc, &cls));
                            if !m {
                                jump!(t);
                            }
                        }
                        Instr::WithExceptStart => {
                            let n = f.stack.len();
                            let exit = f.stack[n - 2].clone();
                            let exc = f.stack[n - 1].clone();
                            let typ = Value::Obj(self.class_of(&exc).clone());
                            let tb = self.traceback_value(&exc);
                            let r =
                                tri!(with_frame!(self, f, self.call(&exit, &[typ, exc, tb], &[])));
                            f.stack.push(r);
                        }
                        Instr::YieldValue => {
                            let v = f.stack.pop().expect("stack");
                            // A generator stepped by its caller's `for` or `async for`:
                            // the value goes straight onto the caller's stack (what
                            // `Event::Yield` does for these deliveries; a yield of a value
                            // ends an `async for` step).
                            if matches!(f.delivery, Delivery::ForIter | Delivery::AsyncFor) {
                                f.ip = ip as u32;
                                let g = f.generator.take().expect("generator");
                                if f.delivery == Delivery::AsyncFor {
                                    crate::builtins::asyncgen::set_running(&g, false);
                                }
                                self.suspend_generator(&g, f);
                                f = self.frames.pop().expect("caller");
                                f.stack.push(v);
                                continue 'frames;
                            }
                            if code.flags & crate::code::flags::ASYNC_GENERATOR != 0 {
                                crate::builtins::asyncgen::mark_value_yield(&f);
                            }
                            break Event::Yield(v);
                        }
                        Instr::GetYieldFromIter => {
                            let v = f.stack.pop().expect("stack");
                            let it = tri!(with_frame!(self, f, self.get_yield_from_iter(&v, code)));
                            f.stack.push(it);
                        }
                        Instr::YieldFrom => {
                            let sent = f.stack.pop().expect("stack");
                            let sub = f.stack.last().expect("stack").clone();
                            let throw = f.take_pending_throw();
                            match tri!(self.yield_from_step(&mut f, &sub, sent, throw)) {
                                YieldFromStep::Push(nf) => break Event::Push(nf),
                                YieldFromStep::Yielded(v) => {
                                    jump!(ip - 1);
                                    break Event::Yield(v);
                                }
                                YieldFromStep::Returned(v) => {
                                    f.stack.pop();
                                    f.stack.push(v);
                                }
                            }
                        }
                        Instr::GetAwaitable(kind) => {
                            let v = f.stack.pop().expect("stack");
                            let aw = tri!(with_frame!(self, f, self.get_awaitable(&v, kind)));
                            f.stack.push(aw);
                        }
                        Instr::ImportName(i) => {
                            let fromlist = f.stack.pop().expect("stack");
                            let level = f.stack.pop().expect("stack");
                            let name = code.names[i as usize].clone();
                            let m = tri!(with_frame!(
                                self,
                                f,
                                self.import_name(&name, &fromlist, &level)
                            ));
                            f.stack.push(m);
                        }
                        Instr::ImportFrom(i) => {
                            let m = f.stack.last().expect("stack").clone();
                            let name = code.names[i as usize].clone();
                            let v = tri!(with_frame!(self, f, self.import_from(&m, &name)));
                            f.stack.push(v);
                        }
                        Instr::ImportStar => {
                            let m = f.stack.pop().expect("stack");
                            let ns = f.namespace().cloned().unwrap_or_else(|| f.globals.clone());
                            tri!(with_frame!(self, f, self.import_star(&m, &ns)));
                        }
                        Instr::FormatValue(fl) => {
                            let spec = if fl & 4 != 0 { f.stack.pop() } else { None };
                            let v = f.stack.pop().expect("stack");
                            let r = tri!(with_frame!(self, f, self.format_value(v, fl & 3, spec)));
                            f.stack.push(r);
                        }
                        Instr::LoadAssertionError => {
                            f.stack.push(Value::Obj(self.exc.assertion_error.clone()))
                        }
                        Instr::LoadExceptStarHelper(n) => {
                            f.stack.push(self.except_star_helpers[n as usize].clone())
                        }
                        Instr::SetupAnnotations => {
                            let ns = f.namespace().cloned().unwrap_or_else(|| f.globals.clone());
                            let key = self.names.__annotations__.clone();
                            if self.dict_get_str(&ns, &key).is_none() {
                                let d = self.new_dict(crate::dict::Dict::new());
                                tri!(with_frame!(
                                    self,
                                    f,
                                    self.setitem(&Value::Obj(ns), Value::Str(key), Value::Obj(d))
                                ));
                            }
                        }
                        Instr::PrintExpr => {
                            let v = f.stack.pop().expect("stack");
                            tri!(with_frame!(self, f, self.print_expr(&v)));
                        }
                        Instr::GetLen => {
                            let v = f.stack.last().expect("stack").clone();
                            let n = tri!(with_frame!(self, f, self.len(&v)));
                            f.stack.push(Value::Int(n as i64));
                        }
                        Instr::MatchMapping => {
                            let v = f.stack.last().expect("stack").clone();
                            let r = self.is_mapping(&v);
                            f.stack.push(Value::bool(r));
                        }
                        Instr::MatchSequence => {
                            let v = f.stack.last().expect("stack").clone();
                            let r = self.is_sequence(&v);
                            f.stack.push(Value::bool(r));
                        }
                        Instr::MatchKeys => {
                            let n = f.stack.len();
                            let subject = f.stack[n - 2].clone();
                            let keys = f.stack[n - 1].clone();
                            let r = tri!(with_frame!(self, f, self.match_keys(&subject, &keys)));
                            f.stack.push(r);
                        }
                        Instr::MatchClass(npos) => {
                            let names = f.stack.pop().expect("stack");
                            let cls = f.stack.pop().expect("stack");
                            let subject = f.stack.pop().expect("stack");
                            let r = tri!(with_frame!(
                                self,
                                f,
                                self.match_class(&subject, &cls, npos as usize, &names)
                            ));
                            f.stack.push(r);
                        }
                        Instr::CopyDictWithoutKeys => {
                            let keys = f.stack.pop().expect("stack");
                            let subject = f.stack.last().expect("stack").clone();
                            let r = tri!(with_frame!(
                                self,
                                f,
                                self.copy_dict_without_keys(&subject, &keys)
                            ));
                            drop(keys);
                            f.stack.push(r);
                        }
                    }
                }
            };
            // ---- frame switching -------------------------------------------------------
            f.ip = ip as u32;
            let mut event = event;
            loop {
                match event {
                    Event::Push(nf) => {
                        if self.frames.len() + self.native_depth >= self.recursion_limit {
                            self.abandon_frame(nf);
                            event = Event::Raise(self.new_recursion_error(""));
                            continue;
                        }
                        // A call is a step for the host's limits, as a loop iteration is.
                        if let Err(e) = self.tick() {
                            self.abandon_frame(nf);
                            event = Event::Raise(e);
                            continue;
                        }
                        self.frames.push(f);
                        f = nf;
                        if let Some(exc) = f.take_pending_throw() {
                            if !f.at_yield_from() {
                                event = Event::Raise(self.exc_from_value(exc));
                                continue;
                            }
                            f.set_pending_throw(exc);
                        }
                        continue 'frames;
                    }
                    Event::Return(v) => {
                        let delivery = f.delivery;
                        if let Some(g) = f.generator.take() {
                            self.finish_generator(&g);
                            if delivery == Delivery::Native {
                                // Recycled, not dropped: the pool releases the locals in
                                // the order every other return does (see `frame_pool_put`).
                                self.recycle(f);
                                return Ok(Outcome::Return(v));
                            }
                            let mut caller = self.frames.pop().expect("caller");
                            self.recycle(f);
                            match delivery {
                                Delivery::ForIter => {
                                    caller.stack.pop();
                                    if let Instr::ForIter(t) =
                                        caller.code.instrs[caller.ip as usize - 1].unfused()
                                    {
                                        caller.ip = t;
                                    }
                                }
                                Delivery::YieldFrom => {
                                    caller.stack.pop();
                                    caller.stack.push(v);
                                }
                                Delivery::AsyncGenOp => {
                                    f = caller;
                                    match self
                                        .async_gen_op_outcome(&mut f, Ok(GenResult::Return(v)))
                                    {
                                        Some(ev) => {
                                            event = ev;
                                            continue;
                                        }
                                        None => continue 'frames,
                                    }
                                }
                                Delivery::Send => {
                                    f = caller;
                                    event = Event::Raise(self.new_stop_iteration(v));
                                    continue;
                                }
                                Delivery::AsyncFor => {
                                    crate::builtins::asyncgen::set_running(&g, false);
                                    f = caller;
                                    let stop = self.exc.stop_async_iteration.clone();
                                    event = Event::Raise(self.new_exception(&stop, vec![]));
                                    continue;
                                }
                                _ => caller.stack.push(v),
                            }
                            f = caller;
                            continue 'frames;
                        }
                        if self.frames.len() == base || delivery == Delivery::Native {
                            self.recycle(f);
                            return Ok(Outcome::Return(v));
                        }
                        let caller = self.frames.pop().expect("caller");
                        self.recycle(f);
                        f = caller;
                        if delivery == Delivery::Init {
                            if !v.is_none() {
                                let msg = format!(
                                    "__init__() should return None, not '{}'",
                                    self.type_name(&v)
                                );
                                event = Event::Raise(self.new_type_error(msg));
                                continue;
                            }
                        } else if delivery == Delivery::Exec {
                            f.stack.push(Value::None);
                        } else {
                            f.stack.push(v);
                        }
                        continue 'frames;
                    }
                    Event::Yield(v) => {
                        let delivery = f.delivery;
                        let g = match f.generator.take() {
                            Some(g) => {
                                self.suspend_generator(&g, f);
                                g
                            }
                            None => {
                                debug_assert_eq!(delivery, Delivery::EagerAwait);
                                self.suspended_coroutine(f)
                            }
                        };
                        if delivery == Delivery::Native {
                            return Ok(Outcome::Yield(v));
                        }
                        let mut caller = self.frames.pop().expect("caller");
                        match delivery {
                            Delivery::EagerAwait => {
                                // The caller now awaits the coroutine object from its
                                // `YieldFrom` (just behind it), and yields the same value.
                                caller.stack.push(Value::Obj(g));
                                caller.ip -= 1;
                                f = caller;
                                event = Event::Yield(v);
                                continue;
                            }
                            Delivery::ForIter => {
                                caller.stack.push(v);
                                f = caller;
                                continue 'frames;
                            }
                            Delivery::AsyncFor => {
                                // An `await` in the body passed a value up (a yield of a
                                // value ends the step in `YieldValue`). The caller now
                                // awaits the generator's `__anext__` from its `YieldFrom`
                                // (just behind it), and yields the same value.
                                let op = crate::builtins::asyncgen::started_anext(self, &g);
                                caller.stack.push(op);
                                caller.ip -= 1;
                                f = caller;
                                event = Event::Yield(v);
                                continue;
                            }
                            Delivery::YieldFrom => {
                                // The delegating frame yields the same value.
                                caller.ip -= 1;
                                f = caller;
                                event = Event::Yield(v);
                                continue;
                            }
                            Delivery::AsyncGenOp => {
                                f = caller;
                                match self.async_gen_op_outcome(&mut f, Ok(GenResult::Yield(v))) {
                                    Some(ev) => {
                                        event = ev;
                                        continue;
                                    }
                                    None => continue 'frames,
                                }
                            }
                            _ => {
                                caller.stack.push(v);
                                f = caller;
                                continue 'frames;
                            }
                        }
                    }
                    Event::Raise(exc) if self.threads.parking() => {
                        // A native parked this thread (`threads.rs`): its frames leave.
                        let mut frames: Vec<Box<Frame>> = self.frames.drain(base..).collect();
                        frames.push(f);
                        self.threads.park_frames(frames);
                        return Err(exc);
                    }
                    Event::Raise(exc) => {
                        self.on_raise(&f, &exc, true);
                        event = Event::Reraise(exc);
                        continue;
                    }
                    Event::Reraise(exc) => {
                        // Look for a handler in this frame.
                        if let Some(h) = self.find_handler(&mut f, &exc) {
                            f.ip = h as u32;
                            continue 'frames;
                        }
                        // None: the frame ends with the exception.
                        let delivery = f.delivery;
                        let mut exc = exc;
                        if let Some(g) = f.generator.take() {
                            exc = self.generator_exception(&g, exc);
                            self.finish_generator(&g);
                            if delivery == Delivery::AsyncFor {
                                crate::builtins::asyncgen::set_running(&g, false);
                            }
                        } else if delivery == Delivery::EagerAwait {
                            exc = self.escaping_exception(crate::object::GenKind::Coroutine, exc);
                        }
                        if self.frames.len() == base || delivery == Delivery::Native {
                            self.recycle(f);
                            return Err(exc);
                        }
                        let caller = self.frames.pop().expect("caller");
                        self.recycle(f);
                        f = caller;
                        if delivery == Delivery::AsyncGenOp {
                            match self.async_gen_op_outcome(&mut f, Err(exc)) {
                                Some(Event::Raise(e)) => exc = e,
                                Some(ev) => {
                                    event = ev;
                                    continue;
                                }
                                None => continue 'frames,
                            }
                        }
                        self.on_raise(&f, &exc, false);
                        event = Event::Reraise(exc);
                        continue;
                    }
                }
            }
        }
    }

    /// `UnboundLocalError` for local `i` of `code` (out of line: the rare case of the
    /// local loads).
    #[cold]
    #[inline(never)]
    fn unbound_local(&mut self, code: &crate::code::Code, i: usize) -> Obj {
        let name = code.varnames[i].as_str().to_string();
        self.new_exception_msg(
            &self.exc.unbound_local_error.clone(),
            format!(
                "cannot access local variable '{name}' where it is not associated with a value"
            ),
        )
    }

    /// Adds the traceback entry of `f` to `exc` (and, for a new raise, its `__context__`).
    fn on_raise(&mut self, f: &Frame, exc: &Obj, new: bool) {
        if let Payload::Exception(d) = &exc.payload {
            d.borrow_mut()
                .traceback
                .push(crate::object::TracebackEntry {
                    code: f.code.clone(),
                    // A frame that has run nothing yet (a throw into a just-created
                    // coroutine) is at its `def` line, as CPython's: an index past the end.
                    ip: if f.ip == 0 { u32::MAX } else { f.ip - 1 },
                });
        }
        if new {
            let handled = self.handled_exception_in(f);
            self.set_context(exc, handled);
            self.note_raised_in(f, exc);
        }
    }

    /// The exception being handled, looking at `f` then the suspended callers.
    pub(crate) fn handled_exception_in(&self, f: &Frame) -> Option<Value> {
        for b in f.blocks.iter().rev() {
            if let Block::ExceptHandler { exc, .. } = b {
                return Some(exc.clone());
            }
        }
        self.handled_exception()
    }

    /// The exception being handled by the suspended frames (`sys.exc_info()`), for natives
    /// called from an `except` block.
    pub(crate) fn handled_exception(&self) -> Option<Value> {
        for fr in self.frames.iter().rev() {
            for b in fr.blocks.iter().rev() {
                if let Block::ExceptHandler { exc, .. } = b {
                    return Some(exc.clone());
                }
            }
        }
        None
    }

    /// Unwinds `f`'s block stack to the innermost handler; returns its address.
    fn find_handler(&mut self, f: &mut Frame, exc: &Obj) -> Option<usize> {
        if self.limits.tripped.is_some() {
            // A host limit was exceeded: no handler (nor `finally`) may run.
            f.blocks.clear();
            return None;
        }
        while let Some(b) = f.blocks.pop() {
            match b {
                Block::ExceptHandler { level, .. } => {
                    f.stack.truncate(level as usize);
                }
                Block::Finally { handler, level } => {
                    f.stack.truncate(level as usize);
                    f.push_block(Block::ExceptHandler {
                        level,
                        exc: Value::Obj(exc.clone()),
                    });
                    f.stack.push(Value::Obj(exc.clone()));
                    return Some(handler as usize);
                }
            }
        }
        None
    }

    fn unbound_deref(&self, code: &crate::code::Code, i: usize) -> Obj {
        let name = deref_name(code, i);
        if i < code.cellvars.len() {
            self.new_exception_msg(
                &self.exc.unbound_local_error,
                format!(
                    "cannot access local variable '{}' where it is not associated with a value",
                    name.as_str()
                ),
            )
        } else {
            self.new_exception_msg(
                &self.exc.name_error,
                format!(
                    "cannot access free variable '{}' where it is not associated with a value in enclosing scope",
                    name.as_str()
                ),
            )
        }
    }

    /// `NameError: name 'x' is not defined`.
    pub(crate) fn name_error(&self, name: &Str) -> Obj {
        let e = self.new_exception_msg(
            &self.exc.name_error,
            format!("name '{}' is not defined", name.as_str()),
        );
        if let Payload::Exception(d) = &e.payload {
            d.borrow_mut().extra = Value::Str(Rc::new(Str::new(name.as_str().to_string())));
        }
        e
    }

    /// A builtin by name.
    #[inline]
    pub(crate) fn builtin(&self, name: &Str) -> Option<Value> {
        match &self.builtins.payload {
            Payload::Dict(d) => d.borrow().get_str(name).cloned(),
            _ => None,
        }
    }

    fn builtin_str(&mut self, name: &str) -> Value {
        let n = self.intern(name);
        self.builtin(&n).unwrap_or(Value::None)
    }

    /// The sentinel `LoadMethod` pushes when there is no `self`.
    #[inline]
    pub(crate) fn null(&self) -> Value {
        self.null_marker.clone()
    }

    #[inline]
    fn is_null(&self, v: &Value) -> bool {
        matches!((v, &self.null_marker), (Value::Obj(a), Value::Obj(b)) if Rc::ptr_eq(a, b))
    }

    /// Returns a finished frame's storage for reuse.
    #[inline(always)]
    fn recycle(&mut self, f: Box<Frame>) {
        self.frame_pool_put(f);
    }

    /// Drops a frame that could not start or resume (the recursion limit, a host limit)
    /// before its first instruction. A generator's frame ends its generator, as CPython's
    /// generators end when their frame fails on entry: it is closed, and not running.
    fn abandon_frame(&mut self, mut f: Box<Frame>) {
        if let Some(g) = f.generator.take() {
            self.finish_generator(&g);
            crate::builtins::asyncgen::set_running(&g, false);
        }
        self.recycle(f);
    }
}

impl Vm {
    /// The event that continues frame `f`, suspended in a `YieldFrom` on an async
    /// generator's `asend`/`__anext__` awaitable (its top of stack), once the generator's
    /// body run for it (`Delivery::AsyncGenOp`) yielded, returned or raised (`r`): the
    /// awaitable's result is pushed, a bare yield passes up from `f`, an error is raised
    /// in `f`. `None` when `f` simply goes on.
    fn async_gen_op_outcome(
        &mut self,
        f: &mut Box<Frame>,
        r: PyResult<GenResult>,
    ) -> Option<Event> {
        let op = f.stack.last().expect("stack").clone();
        match self.async_gen_op_step(&op, r) {
            Ok(YieldFromStep::Yielded(v)) => {
                f.ip -= 1;
                Some(Event::Yield(v))
            }
            Ok(YieldFromStep::Returned(v)) => {
                f.stack.pop();
                f.stack.push(v);
                None
            }
            Ok(YieldFromStep::Push(nf)) => Some(Event::Push(nf)),
            Err(e) => Some(Event::Raise(e)),
        }
    }
}

/// The outcome of one `YieldFrom` step.
pub(crate) enum YieldFromStep {
    /// Run the sub-generator's frame.
    Push(Box<Frame>),
    /// The sub-iterator yielded this value.
    Yielded(Value),
    /// The sub-iterator returned this value.
    Returned(Value),
}

/// `a op b` for the top two values of `stack` when both are small ints or floats (or one
/// of each) and the result needs no special case (see [`small_int_op`]; a float division
/// by zero, `**`, `//` and `%` of floats, and a NaN result, which must be a new NaN object
/// (`num::fresh_nan`), take the general path). Mixed operands convert the int to the
/// nearest float, as CPython does.
#[inline(always)]
fn scalar_binary(op: BinOp, stack: &[Value]) -> Option<Value> {
    match stack {
        [.., a, b] => scalar_binary_values(op, a, b),
        _ => None,
    }
}

/// [`scalar_binary`] for two values wherever they are.
#[inline(always)]
fn scalar_binary_values(op: BinOp, a: &Value, b: &Value) -> Option<Value> {
    let float_op = |x: f64, y: f64| {
        let r = match op {
            BinOp::Add => x + y,
            BinOp::Sub => x - y,
            BinOp::Mul => x * y,
            BinOp::TrueDiv if y != 0.0 => x / y,
            _ => return None,
        };
        (!r.is_nan()).then_some(Value::float(r))
    };
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => small_int_op(op, *x, *y).map(Value::Int),
        (Value::Float(x), Value::Float(y)) => float_op(x.get(), y.get()),
        (Value::Float(x), Value::Int(y)) => float_op(x.get(), *y as f64),
        (Value::Int(x), Value::Float(y)) => float_op(*x as f64, y.get()),
        _ => None,
    }
}

/// `a op b` for the top two values of `stack` when both are small ints or both floats
/// (IEEE comparisons: a NaN compares unequal and unordered, as in Python).
#[inline(always)]
fn scalar_compare(op: CmpOp, stack: &[Value]) -> Option<bool> {
    match stack {
        [.., a, b] => scalar_compare_values(op, a, b),
        _ => None,
    }
}

/// The fast case of a fused `LoadFast`, operand, `Binary`/`Inplace` run (`ip` at its
/// second instruction): for ints and floats, pushes the result, moves `ip` past the run
/// and returns `Some`.
#[inline(always)]
fn binary_and_skip(
    op: BinOp,
    x: &Value,
    y: &Value,
    stack: &mut Vec<Value>,
    ip: &mut usize,
) -> Option<()> {
    stack.push(scalar_binary_values(op, x, y)?);
    *ip += 2;
    Some(())
}

/// The fast case of a fused `LoadFast`, operand, `Compare`, `PopJumpIfFalse` run (`ip` at
/// its second instruction): for ints and floats, moves `ip` past the run or to the jump's
/// target and returns `Some`.
#[inline(always)]
fn compare_and_jump(
    op: CmpOp,
    x: &Value,
    y: &Value,
    instrs: &[Instr],
    ip: &mut usize,
) -> Option<()> {
    let r = scalar_compare_values(op, x, y)?;
    // The compiler fused the run before a jump (`fuse_local_const_op`), three instructions
    // on.
    let Some(&Instr::PopJumpIfFalse(t)) = instrs.get(*ip + 2) else {
        return None;
    };
    *ip = if r { *ip + 3 } else { t as usize };
    Some(())
}

/// [`scalar_compare`] for two values wherever they are.
#[inline(always)]
fn scalar_compare_values(op: CmpOp, a: &Value, b: &Value) -> Option<bool> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(crate::ops::cmp_ord(x.cmp(y), op)),
        (Value::Float(x), Value::Float(y)) => {
            let (x, y) = (x.get(), y.get());
            Some(match op {
                CmpOp::Lt => x < y,
                CmpOp::Le => x <= y,
                CmpOp::Gt => x > y,
                CmpOp::Ge => x >= y,
                CmpOp::Eq => x == y,
                CmpOp::Ne => x != y,
            })
        }
        _ => None,
    }
}

/// Replaces the top two values of `stack`, which [`scalar_binary`] or [`scalar_compare`]
/// just accepted (ints or floats), by `v`.
#[inline(always)]
fn replace_scalar_pair(stack: &mut Vec<Value>, v: Value) {
    let n = stack.len();
    debug_assert!(n >= 2 && stack[n - 2..].iter().all(is_scalar));
    // SAFETY: the two top entries exist and are ints or floats, which own nothing: the
    // lower one is overwritten and the upper one forgotten without running a destructor.
    unsafe {
        std::ptr::write(stack.as_mut_ptr().add(n - 2), v);
        stack.set_len(n - 1);
    }
}

/// Removes the top two values of `stack`, which [`scalar_compare`] just accepted.
#[inline(always)]
fn drop_scalar_pair(stack: &mut Vec<Value>) {
    let n = stack.len();
    debug_assert!(n >= 2 && stack[n - 2..].iter().all(is_scalar));
    // SAFETY: as in `replace_scalar_pair`: two entries that own nothing.
    unsafe { stack.set_len(n - 2) }
}

/// An int or a float (a value without a destructor).
fn is_scalar(v: &Value) -> bool {
    matches!(v, Value::Int(_) | Value::Float(_))
}

/// `x op y` for two small ints when the result is a small int computed without any
/// special case (overflow, division by zero, negative or wide shifts, true division and
/// powers take the general path). Floor division and modulo round toward negative
/// infinity, as in Python.
#[inline]
fn small_int_op(op: BinOp, x: i64, y: i64) -> Option<i64> {
    match op {
        BinOp::Add => x.checked_add(y),
        BinOp::Sub => x.checked_sub(y),
        BinOp::Mul => x.checked_mul(y),
        BinOp::Rem => {
            let r = x.checked_rem(y)?;
            Some(if r != 0 && (r ^ y) < 0 { r + y } else { r })
        }
        BinOp::FloorDiv => {
            let q = x.checked_div(y)?;
            Some(if x % y != 0 && (x ^ y) < 0 { q - 1 } else { q })
        }
        BinOp::And => Some(x & y),
        BinOp::Or => Some(x | y),
        BinOp::Xor => Some(x ^ y),
        BinOp::RShift if (0..64).contains(&y) => Some(x >> y),
        BinOp::LShift if (0..63).contains(&y) => {
            let r = x << y;
            (r >> y == x).then_some(r)
        }
        _ => None,
    }
}

impl Vm {
    /// The frame for calling `stack[callee_pos]` with the `nargs` values after `start` when
    /// that needs no argument binding: a plain script function (or a bound method of one)
    /// whose positional parameters are exactly the arguments. The arguments (and the bound
    /// `self`) move into the frame's locals, and `stack` is cut back to `callee_pos`.
    /// `None` (and the stack untouched) when the call needs the general path.
    #[inline]
    /// `gen.send(value)` called from a script (`stack[callee_pos..]` is `[send, gen,
    /// value]`): the generator's frame is resumed in this run loop with
    /// [`Delivery::Send`], as a call would be, instead of a nested run through the native
    /// `send`. `None` when the callee is not the built-in `send` of a generator or coroutine.
    fn send_fast(
        &mut self,
        stack: &mut Vec<Value>,
        callee_pos: usize,
    ) -> Option<Result<Box<Frame>, Obj>> {
        if !is_native_fn(&stack[callee_pos], crate::builtins::generator::send) {
            return None;
        }
        let Value::Obj(g) = &stack[callee_pos + 1] else {
            return None;
        };
        match &g.payload {
            Payload::Generator(c) if c.kind != crate::object::GenKind::AsyncGenerator => {}
            _ => return None,
        }
        let g = g.clone();
        let value = stack.pop().expect("stack");
        stack.truncate(callee_pos);
        Some(
            match self.resume_generator(&g, value, None, Delivery::Send) {
                Ok(Some(nf)) => Ok(nf),
                Ok(None) => Err(self.new_stop_iteration(Value::None)),
                Err(e) => Err(e),
            },
        )
    }

    /// Moves the arguments `stack[from..]` of a call that cannot bind in place into the
    /// VM's argument buffer (a nested call finds it taken and uses a fresh one).
    #[inline]
    fn take_call_args(&mut self, stack: &mut Vec<Value>, from: usize) -> Vec<Value> {
        let mut args = std::mem::take(&mut self.arg_buf);
        args.extend(stack.drain(from..));
        args
    }

    /// Returns the buffer of [`Vm::take_call_args`], emptied (its values released first to
    /// last, as the call's argument tuple would be).
    #[inline]
    fn give_back_call_args(&mut self, mut args: Vec<Value>) {
        args.clear();
        if args.capacity() <= 64 {
            self.arg_buf = args;
        }
    }

    #[inline(always)]
    fn simple_call(
        &mut self,
        stack: &mut Vec<Value>,
        callee_pos: usize,
        start: usize,
    ) -> Option<Box<Frame>> {
        let nargs = stack.len() - start;
        let (func, bound) = script_callee(&stack[callee_pos])?;
        let n = nargs + bound.is_some() as usize;
        if !func
            .code
            .binds_positionally(n, || func.defaults.borrow().len())
        {
            return None;
        }
        let bound = bound.cloned();
        Some(bind_positionally!(
            self, stack, callee_pos, start, func, bound
        ))
    }

    /// [`Vm::simple_call`] for a generator, coroutine or async generator function: the
    /// generator object around the bound frame replaces the callee and the arguments on
    /// the stack. `false`, with the stack untouched, for any other call.
    #[inline(always)]
    fn simple_gen_call(&mut self, stack: &mut Vec<Value>, callee_pos: usize, start: usize) -> bool {
        match script_callee(&stack[callee_pos]) {
            Some((func, _)) if func.code.is_generator_like() => {
                self.gen_call_positionally(stack, callee_pos, start)
            }
            _ => false,
        }
    }

    /// `await f(...)` of a coroutine function `stack[callee_pos]` (the instructions from
    /// `ip` are the `await`: `GetAwaitable(0)`, `LoadConst None`, `YieldFrom`): the body's
    /// frame, bound as [`Vm::simple_call`] binds, to run as a plain call
    /// ([`Delivery::EagerAwait`]); the caller skips those [`AWAIT_TAIL`] instructions.
    /// An `await` that does not suspend thus makes no coroutine object. `None`, with the
    /// stack untouched, for any other call.
    #[inline(always)]
    fn eager_await_call(
        &mut self,
        stack: &mut Vec<Value>,
        callee_pos: usize,
        start: usize,
        code: &crate::code::Code,
        ip: usize,
    ) -> Option<Box<Frame>> {
        let (func, _) = script_callee(&stack[callee_pos])?;
        if func.code.flags & flags::COROUTINE == 0 || !awaits_at(code, ip) {
            return None;
        }
        self.eager_await_frame(stack, callee_pos, start)
    }

    /// [`Vm::eager_await_call`] once the call is known to be awaited (out of the run
    /// loop's line). The coroutine object made if the body suspends takes its names from
    /// the code: a function renamed since keeps the general path.
    #[inline(never)]
    fn eager_await_frame(
        &mut self,
        stack: &mut Vec<Value>,
        callee_pos: usize,
        start: usize,
    ) -> Option<Box<Frame>> {
        let (mut frame, _) =
            self.bind_gen_call(stack, callee_pos, start, |func| func.keeps_code_names())?;
        frame.delivery = Delivery::EagerAwait;
        Some(frame)
    }

    /// The frame of a call of the generator-like function `stack[callee_pos]` bound
    /// positionally, and the callee (both moved off the stack): `None`, with the stack
    /// untouched, when the call cannot bind so or `accept` refuses the function.
    #[inline(always)]
    fn bind_gen_call(
        &mut self,
        stack: &mut Vec<Value>,
        callee_pos: usize,
        start: usize,
        accept: impl Fn(&crate::object::Function) -> bool,
    ) -> Option<(Box<Frame>, Value)> {
        let nargs = stack.len() - start;
        let (func, bound) = script_callee(&stack[callee_pos])?;
        let n = nargs + bound.is_some() as usize;
        if !func
            .code
            .gen_binds_positionally(n, || func.defaults.borrow().len())
            || !accept(func)
        {
            return None;
        }
        let callee = stack[callee_pos].clone();
        let (func, bound) = script_callee(&callee)?;
        let frame = bind_positionally!(self, stack, callee_pos, start, func, bound.cloned());
        Some((frame, callee))
    }

    /// [`Vm::simple_gen_call`] once the callee is known to make a generator (out of the
    /// run loop's line).
    #[inline(never)]
    fn gen_call_positionally(
        &mut self,
        stack: &mut Vec<Value>,
        callee_pos: usize,
        start: usize,
    ) -> bool {
        let Some((frame, callee)) = self.bind_gen_call(stack, callee_pos, start, |_| true) else {
            return false;
        };
        let Some((func, _)) = script_callee(&callee) else {
            unreachable!("a script function was bound")
        };
        let g = self.new_generator(func, frame);
        stack.push(g);
        true
    }

    /// [`Vm::simple_call`] for a call with keyword arguments (`CallKw`, `CallMethodKw`):
    /// `stack[start..]` holds the positional values, then one value per name in `names`.
    /// When the callee is a plain script function (or a bound method of one) without
    /// `*args`, `**kwargs` or cell variables, and every parameter gets exactly one value
    /// (from the call or its default), the values move straight into the frame's locals,
    /// as CPython's `_PyEval_MakeFrameVector` binds them. `None`, with the stack untouched,
    /// for anything else, including every call that raises a `TypeError`: the general path
    /// builds its message.
    #[inline]
    fn keyword_simple_call(
        &mut self,
        stack: &mut Vec<Value>,
        callee_pos: usize,
        start: usize,
        names: &[Value],
        awaited: bool,
    ) -> Option<Box<Frame>> {
        let (func, bound) = script_callee(&stack[callee_pos])?;
        let code = &func.code;
        let (argc, kwonly) = (code.argcount as usize, code.kwonlyargcount as usize);
        let nparams = argc + kwonly;
        let nkw = names.len();
        let npos = stack.len() - start - nkw + bound.is_some() as usize;
        // A coroutine function's call that is awaited at once runs its body as a plain
        // call (see `eager_await_call`).
        let eager = awaited
            && code.flags & flags::COROUTINE != 0
            && code.flags & flags::ASYNC_GENERATOR == 0
            && func.keeps_code_names();
        let excluded = if eager {
            flags::GENERATOR | flags::ASYNC_GENERATOR
        } else {
            flags::GENERATOR | flags::COROUTINE | flags::ASYNC_GENERATOR
        };
        if code.flags & (flags::VARARGS | flags::VARKEYWORDS | excluded) != 0
            || nparams > 64
            || npos > argc
        {
            return None;
        }
        // Which parameter each keyword binds: a bit per parameter set, each at most once.
        let mut set: u64 = if npos == 64 {
            u64::MAX
        } else {
            (1u64 << npos) - 1
        };
        let mut slots: SmallVec<[u8; 8]> = SmallVec::new();
        let params = &code.varnames[code.posonlyargcount as usize..nparams];
        for name in names {
            let Value::Str(k) = name else { return None };
            let i = params
                .iter()
                .position(|p| Rc::ptr_eq(p, k))
                .or_else(|| params.iter().position(|p| p.as_str() == k.as_str()))?
                + code.posonlyargcount as usize;
            if set & (1 << i) != 0 {
                return None;
            }
            set |= 1 << i;
            slots.push(i as u8);
        }
        // Every parameter left out needs a default.
        let defaults = func.defaults.borrow();
        let first_default = argc - defaults.len().min(argc);
        if (0..first_default).any(|i| set & (1 << i) == 0) {
            return None;
        }
        let kwdefaults = func.kwdefaults.borrow();
        let kwdefault = |i: usize| match &*kwdefaults {
            Value::Obj(d) => match &d.payload {
                Payload::Dict(d) => d.borrow().get_str(&code.varnames[i]).cloned(),
                _ => None,
            },
            _ => None,
        };
        let mut kw_filled: SmallVec<[(usize, Value); 2]> = SmallVec::new();
        for i in argc..nparams {
            if set & (1 << i) == 0 {
                kw_filled.push((i, kwdefault(i)?));
            }
        }
        let delivery = if eager {
            Delivery::EagerAwait
        } else {
            Delivery::Call
        };
        let mut frame = self.frame_pool_take(code, &func.globals, delivery);
        frame.locals.resize(code.nlocals(), None);
        let locals = &mut frame.locals;
        for (i, local) in locals.iter_mut().enumerate().take(argc).skip(first_default) {
            if set & (1 << i) == 0 {
                *local = Some(defaults[i + defaults.len() - argc].clone());
            }
        }
        for (i, v) in kw_filled {
            locals[i] = Some(v);
        }
        let bound = bound.cloned();
        drop((defaults, kwdefaults));
        // The callee, kept for its cells once the stack lets it go.
        let with_cells = (code.ncells() > 0).then(|| stack[callee_pos].clone());
        for &i in slots.iter().rev() {
            locals[i as usize] = stack.pop();
        }
        let base = bound.is_some() as usize;
        for k in (0..npos - base).rev() {
            locals[base + k] = stack.pop();
        }
        if let Some(s) = bound {
            locals[0] = Some(s);
        }
        while stack.len() > callee_pos {
            stack.pop();
        }
        if let Some((func, _)) = with_cells.as_ref().and_then(script_callee) {
            self.fill_cells(&mut frame, func);
        }
        Some(frame)
    }

    /// `LoadGlobal` through the instruction's cache: globals, then builtins.
    #[inline]
    fn load_global(&self, code: &crate::code::Code, globals: &Obj, i: u32) -> Option<Value> {
        let Payload::Dict(g) = &globals.payload else {
            return None;
        };
        let slot = &code.global_cache[i as usize];
        let c = slot.get();
        // SAFETY: each reference lives only until the value is cloned (an `Rc` count
        // increment, which runs no script code), so no mutable borrow can overlap it; a
        // dict mutably borrowed right now is an `Err`, and the general path below takes
        // (and reports) the borrow.
        if let Ok(gd) = unsafe { g.try_borrow_unguarded() } {
            if c.globals_version == gd.version {
                if !c.in_builtins {
                    return gd.value_at(c.pos as usize).cloned();
                }
                if let Payload::Dict(b) = &self.builtins.payload {
                    if let Ok(bd) = unsafe { b.try_borrow_unguarded() } {
                        if bd.version == c.builtins_version {
                            return bd.value_at(c.pos as usize).cloned();
                        }
                    }
                }
            }
        }
        let g = g.borrow();
        let name = &code.names[i as usize];
        if let Some(pos) = g.find_str(name) {
            slot.set(crate::code::GlobalCache {
                globals_version: g.version,
                builtins_version: 0,
                pos: pos as u32,
                in_builtins: false,
            });
            return g.value_at(pos).cloned();
        }
        let Payload::Dict(b) = &self.builtins.payload else {
            return None;
        };
        let b = b.borrow();
        let pos = b.find_str(name)?;
        slot.set(crate::code::GlobalCache {
            globals_version: g.version,
            builtins_version: b.version,
            pos: pos as u32,
            in_builtins: true,
        });
        b.value_at(pos).cloned()
    }
}

/// `StoreGlobal` through the instruction's cache; returns the replaced value (dropped by the
/// caller once the dict is no longer borrowed).
#[inline]
fn store_global(code: &crate::code::Code, globals: &Obj, i: u32, v: Value) -> Option<Value> {
    let Payload::Dict(g) = &globals.payload else {
        return None;
    };
    let mut g = g.borrow_mut();
    let slot = &code.global_cache[i as usize];
    let c = slot.get();
    if c.globals_version == g.version && !c.in_builtins {
        return g.replace_value_at(c.pos as usize, v);
    }
    let name = &code.names[i as usize];
    match g.find_str(name) {
        Some(pos) => {
            slot.set(crate::code::GlobalCache {
                globals_version: g.version,
                builtins_version: 0,
                pos: pos as u32,
                in_builtins: false,
            });
            g.replace_value_at(pos, v)
        }
        None => {
            g.set_str(name.clone(), v);
            None
        }
    }
}

fn deref_name(code: &crate::code::Code, i: usize) -> Rc<Str> {
    if i < code.cellvars.len() {
        code.cellvars[i].clone()
    } else {
        code.freevars[i - code.cellvars.len()].clone()
    }
}
