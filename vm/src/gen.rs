//! Generators and coroutines: resuming a suspended frame (pushed on the frame stack by
//! `for` and `yield from`/`await`, or run by `send` from native code), suspending it at a
//! `yield`, `throw`/`close`, and the awaitable protocol (`__await__`).

use crate::code::{flags, Code};
use crate::frame::{Delivery, Frame};
use crate::interp::{Outcome, YieldFromStep};
use crate::object::{GenKind, GenState, Generator, Payload};
use crate::value::{Obj, Value};
use crate::vm::{PyResult, Vm};
use std::rc::Rc;

/// What a native resume of a generator produced.
#[derive(Debug)]
pub enum GenResult {
    /// It yielded.
    Yield(Value),
    /// It returned.
    Return(Value),
}

/// One step of an object that is its own `await` iterator (see
/// [`Vm::register_self_await`]): the value it yields, or the value of the `await`.
pub type SelfAwaitStep = Rc<dyn Fn(&mut Vm, &Value) -> PyResult<GenResult>>;

/// Whether a class's `__await__` is one of [`Vm::register_self_await`]'s, remembered for
/// the class (its address) in one class epoch: `await fut` and each resumption of it ask
/// again, and a lookup of `__await__` through the MRO costs more than the step itself.
#[derive(Clone, Copy, Default)]
pub(crate) struct SelfAwaitMemo {
    /// The class's address (0: empty).
    cls: usize,
    /// The class epoch of the answer.
    epoch: u64,
    /// The index in `Vm::self_awaits`, or `usize::MAX` for a class that is not one.
    index: usize,
}

/// Takes the frame out of generator `gen` (the payload of `g`), created or suspended
/// (`started`), to run it for `delivery` with `value` sent in: the sent value is the
/// result of the suspended `yield` (or the value a `YieldFrom` passes on); with a throw
/// it is a placeholder the unwinding discards.
#[inline(always)]
fn enter_generator(
    g: &Obj,
    gen: &Generator,
    started: bool,
    value: Value,
    delivery: Delivery,
) -> Box<Frame> {
    let mut frame = gen.take_frame().expect("generator frame");
    gen.set_state(GenState::Running);
    frame.delivery = delivery;
    frame.generator = Some(g.clone());
    if started {
        frame.stack.push(value);
    }
    frame
}

/// The frame of generator `gen` (the payload of `g`) to run for `delivery` with `None`
/// sent in, when it is free to resume (created or suspended): the interpreter's `for`
/// and `async for` steps, with no error to report. `None` otherwise: a running or
/// finished generator goes through [`Vm::resume_generator`], which reports it.
#[inline(always)]
pub(crate) fn enter_free_generator(
    g: &Obj,
    gen: &Generator,
    delivery: Delivery,
) -> Option<Box<Frame>> {
    let started = match gen.state() {
        GenState::Created => false,
        GenState::Suspended => true,
        GenState::Running | GenState::Closed => return None,
    };
    Some(enter_generator(g, gen, started, Value::None, delivery))
}

impl Vm {
    /// Makes `await obj` delegate to `obj` itself, stepped by `step`, when `obj`'s class
    /// takes its `__await__` from the native function `await_fn`, instead of calling
    /// `__await__` for an iterator object (asyncio's `Future`: CPython's C `FutureIter`
    /// holds nothing but the future, so a suspended task need not keep one). A `throw`
    /// into the awaiting frame raises there, as for an iterator without `throw`, and
    /// `cr_await` still shows what `__await__` returns.
    pub fn register_self_await(&mut self, await_fn: &Obj, step: SelfAwaitStep) {
        self.self_awaits.push((await_fn.clone(), step));
        // A class remembered as not being one may be one now.
        self.self_await_memo = Default::default();
    }

    /// Makes `await armed` a bare `yield` (None out, the sent value dropped) with no
    /// iterator object: asyncio's `sleep(0)`, CPython's `@types.coroutine def __sleep0():
    /// yield`. The first step of the `await` yields and leaves `fired` where the awaiting
    /// frame keeps its sub-iterator; the step after returns None. A `throw` raises in the
    /// awaiting frame. Both objects' class must take its `__await__` from a function
    /// registered by [`Vm::register_self_await`], so that `await` accepts them as they are.
    pub fn register_bare_yield(&mut self, armed: &Obj, fired: &Obj) {
        self.bare_yield = Some((armed.clone(), fired.clone()));
    }

    /// One step of an `await` of the bare-yield awaitable ([`Vm::register_bare_yield`])
    /// that frame `f` keeps on top of its stack; `None` when `sub` is not that awaitable.
    #[inline]
    fn bare_yield_step(
        &mut self,
        f: &mut Frame,
        sub: &Value,
        throw: &mut Option<Value>,
    ) -> Option<PyResult<YieldFromStep>> {
        let (armed, fired) = self.bare_yield.as_ref()?;
        let Value::Obj(o) = sub else { return None };
        let first = Rc::ptr_eq(o, armed);
        if !first && !Rc::ptr_eq(o, fired) {
            return None;
        }
        if let Some(t) = throw.take() {
            return Some(Err(self.exc_from_value(t)));
        }
        if !first {
            return Some(Ok(YieldFromStep::Returned(Value::None)));
        }
        let fired = Value::Obj(fired.clone());
        if let Some(top) = f.stack.last_mut() {
            *top = fired;
        }
        Some(Ok(YieldFromStep::Yielded(Value::None)))
    }

    /// The step of `v` when its class's `__await__` is registered by
    /// [`Vm::register_self_await`].
    pub(crate) fn self_await_of(&mut self, v: &Value) -> Option<SelfAwaitStep> {
        if matches!(v.payload(), Some(Payload::Iter(_) | Payload::Generator(_))) {
            return None;
        }
        let i = self.self_await_index(v)?;
        Some(self.self_awaits[i].1.clone())
    }

    /// The position in `self_awaits` of the `__await__` that `v`'s class has, if it is
    /// one of them, through the memo of the last answers (see [`SelfAwaitMemo`]).
    #[inline]
    fn self_await_index(&mut self, v: &Value) -> Option<usize> {
        if self.self_awaits.is_empty() {
            return None;
        }
        let addr = Rc::as_ptr(self.class_of(v)) as usize;
        let epoch = crate::types::type_epoch();
        let memo = self.self_await_memo[(addr >> 7) & 3];
        if memo.cls == addr && memo.epoch == epoch {
            return (memo.index != usize::MAX).then_some(memo.index);
        }
        let cls = self.class_of(v).clone();
        let index = match self.lookup(&cls, &self.names.__await__) {
            Some(Value::Obj(f)) => self.self_awaits.iter().position(|(o, _)| Rc::ptr_eq(o, &f)),
            _ => None,
        };
        self.self_await_memo[(addr >> 7) & 3] = SelfAwaitMemo {
            cls: addr,
            epoch,
            index: index.unwrap_or(usize::MAX),
        };
        index
    }

    /// Takes the frame out of generator `g` to be pushed, with `value` sent in (or `throw`
    /// pending). `None` when the generator is exhausted (no frame to run).
    pub(crate) fn resume_generator(
        &mut self,
        g: &Obj,
        value: Value,
        throw: Option<Value>,
        delivery: Delivery,
    ) -> PyResult<Option<Box<Frame>>> {
        let Payload::Generator(gen) = &g.payload else {
            unreachable!()
        };
        let what = match gen.kind {
            GenKind::Generator => "generator",
            GenKind::Coroutine => "coroutine",
            GenKind::AsyncGenerator => "async generator",
        };
        match gen.state() {
            GenState::Running => {
                return Err(self.new_value_error(format!("{what} already executing")));
            }
            GenState::Closed => {
                if what == "coroutine" {
                    return Err(self.new_runtime_error("cannot reuse already awaited coroutine"));
                }
                if let Some(t) = throw {
                    return Err(self.exc_from_value(t));
                }
                return Ok(None);
            }
            GenState::Created => {
                if !value.is_none() && throw.is_none() {
                    return Err(self.new_type_error(format!(
                        "can't send non-None value to a just-started {what}"
                    )));
                }
            }
            GenState::Suspended => {}
        }
        let started = gen.state() == GenState::Suspended;
        let mut frame = enter_generator(g, gen, started, value, delivery);
        if let Some(t) = throw {
            frame.set_pending_throw(t);
        }
        Ok(Some(frame))
    }

    /// Stores a yielding frame back into its generator.
    #[inline(always)]
    pub(crate) fn suspend_generator(&mut self, g: &Obj, mut f: Box<Frame>) {
        if let Payload::Generator(gen) = &g.payload {
            f.generator = None;
            gen.put_frame(Some(f));
            gen.set_state(GenState::Suspended);
        }
    }

    /// Marks a generator finished.
    pub(crate) fn finish_generator(&mut self, g: &Obj) {
        if let Payload::Generator(gen) = &g.payload {
            gen.set_state(GenState::Closed);
            gen.put_frame(None);
        }
    }

    /// PEP 479: `StopIteration` escaping a generator becomes `RuntimeError`.
    pub(crate) fn generator_exception(&mut self, g: &Obj, exc: Obj) -> Obj {
        let Payload::Generator(gen) = &g.payload else {
            return exc;
        };
        let kind = gen.kind;
        self.escaping_exception(kind, exc)
    }

    /// [`Vm::generator_exception`] for a body of kind `kind`.
    pub(crate) fn escaping_exception(&mut self, kind: GenKind, exc: Obj) -> Obj {
        let (what, bad) = match kind {
            GenKind::Generator => ("generator", self.exc.stop_iteration.clone()),
            GenKind::Coroutine => ("coroutine", self.exc.stop_iteration.clone()),
            GenKind::AsyncGenerator => ("async generator", self.exc.stop_async_iteration.clone()),
        };
        let is_bad = self.is_instance_of(&exc, &bad)
            || (kind == GenKind::AsyncGenerator
                && self.is_instance_of(&exc, &self.exc.stop_iteration.clone()));
        if is_bad {
            let name = if self.is_instance_of(&exc, &self.exc.stop_iteration.clone()) {
                "StopIteration"
            } else {
                "StopAsyncIteration"
            };
            let e = self.new_runtime_error(format!("{what} raised {name}"));
            self.set_cause(&e, Value::Obj(exc));
            return e;
        }
        exc
    }

    /// `gen.send(value)` from native code (send `None` to start): a host can drive a
    /// generator or a coroutine step by step. An exhausted generator answers
    /// `GenResult::Return(None)`.
    ///
    /// ```
    /// use aio_vm::gen::GenResult;
    /// use aio_vm::{Value, Vm};
    ///
    /// let mut vm = Vm::new();
    /// vm.exec(
    ///     "def running_total():\n\
    ///      \x20   total = 0\n\
    ///      \x20   try:\n\
    ///      \x20       while True:\n\
    ///      \x20           total += yield total\n\
    ///      \x20   except ValueError:\n\
    ///      \x20       return -total\n",
    /// )?;
    /// let g: Value = vm.call_function("running_total", ())?;
    /// let g = g.as_obj().unwrap().clone();
    /// vm.guarded(|vm| {
    ///     assert!(matches!(
    ///         vm.gen_send(&g, Value::None)?,
    ///         GenResult::Yield(Value::Int(0))
    ///     ));
    ///     assert!(matches!(
    ///         vm.gen_send(&g, Value::Int(5))?,
    ///         GenResult::Yield(Value::Int(5))
    ///     ));
    ///     assert!(matches!(
    ///         vm.gen_send(&g, Value::Int(7))?,
    ///         GenResult::Yield(Value::Int(12))
    ///     ));
    ///     let stop = vm.new_value_error("stop");
    ///     assert!(matches!(
    ///         vm.gen_throw(&g, Value::Obj(stop))?,
    ///         GenResult::Return(Value::Int(-12))
    ///     ));
    ///     assert!(matches!(
    ///         vm.gen_send(&g, Value::None)?,
    ///         GenResult::Return(Value::None)
    ///     ));
    ///     Ok(())
    /// })?;
    /// // `close()` raises GeneratorExit inside: `finally` blocks run.
    /// vm.exec(
    ///     "log = []\n\
    ///      def job():\n\
    ///      \x20   try:\n\
    ///      \x20       yield 1\n\
    ///      \x20   finally:\n\
    ///      \x20       log.append('cleanup')\n",
    /// )?;
    /// let j: Value = vm.call_function("job", ())?;
    /// let j = j.as_obj().unwrap().clone();
    /// vm.guarded(|vm| {
    ///     vm.gen_send(&j, Value::None)?;
    ///     vm.gen_close(&j)
    /// })?;
    /// assert_eq!(vm.get_global::<Vec<String>>("log")?, ["cleanup"]);
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn gen_send(&mut self, g: &Obj, value: Value) -> PyResult<GenResult> {
        self.gen_resume_native(g, value, None)
    }

    /// `gen.throw(exc)` from native code; see the example of [`Vm::gen_send`]. As CPython's
    /// `_gen_throw`, a value that is neither an exception nor an exception class raises
    /// `TypeError` without resuming the generator.
    pub fn gen_throw(&mut self, g: &Obj, exc: Value) -> PyResult<GenResult> {
        let throwable = match &exc {
            Value::Obj(o) => match &o.payload {
                Payload::Exception(_) => true,
                Payload::Type(_) => crate::types::is_subtype(o, &self.exc.base_exception),
                _ => false,
            },
            _ => false,
        };
        if !throwable {
            return Err(self.new_type_error(format!(
                "exceptions must be classes or instances deriving from BaseException, not {}",
                self.type_name(&exc)
            )));
        }
        self.gen_resume_native(g, Value::None, Some(exc))
    }

    fn gen_resume_native(
        &mut self,
        g: &Obj,
        value: Value,
        throw: Option<Value>,
    ) -> PyResult<GenResult> {
        match self.resume_generator(g, value, throw, Delivery::Native)? {
            None => Ok(GenResult::Return(Value::None)),
            Some(frame) => match self.run(frame)? {
                Outcome::Yield(v) => Ok(GenResult::Yield(v)),
                Outcome::Return(v) => Ok(GenResult::Return(v)),
            },
        }
    }

    /// `gen.close()`; see the example of [`Vm::gen_send`].
    pub fn gen_close(&mut self, g: &Obj) -> PyResult<()> {
        let state = match &g.payload {
            Payload::Generator(c) => c.state(),
            _ => return Ok(()),
        };
        if state == GenState::Created {
            self.finish_generator(g);
            return Ok(());
        }
        if state == GenState::Closed {
            return Ok(());
        }
        let what = match &g.payload {
            Payload::Generator(c) if c.kind == GenKind::Coroutine => "coroutine",
            Payload::Generator(c) if c.kind == GenKind::AsyncGenerator => "async generator",
            _ => "generator",
        };
        let exit = self.new_exception(&self.exc.generator_exit.clone(), vec![]);
        match self.gen_throw(g, Value::Obj(exit)) {
            Ok(GenResult::Yield(_)) => {
                Err(self.new_runtime_error(format!("{what} ignored GeneratorExit")))
            }
            Ok(GenResult::Return(_)) => Ok(()),
            Err(e) => {
                if self.is_instance_of(&e, &self.exc.generator_exit.clone())
                    || self.is_instance_of(&e, &self.exc.stop_iteration.clone())
                {
                    Ok(())
                } else {
                    Err(e)
                }
            }
        }
    }

    /// The outcome `r` of an async generator's body run for the `asend`/`__anext__`
    /// awaitable `op` (see `asyncgen::begin_send`), as a `YieldFrom` step of the awaiting
    /// frame.
    pub(crate) fn async_gen_op_step(
        &mut self,
        op: &Value,
        r: PyResult<GenResult>,
    ) -> PyResult<YieldFromStep> {
        Ok(match crate::builtins::asyncgen::finish_send(self, op, r)? {
            GenResult::Yield(v) => YieldFromStep::Yielded(v),
            GenResult::Return(v) => YieldFromStep::Returned(v),
        })
    }

    /// One step of `YieldFrom`: send `sent` (or throw) into the sub-iterator.
    pub(crate) fn yield_from_step(
        &mut self,
        f: &mut Box<Frame>,
        sub: &Value,
        sent: Value,
        mut throw: Option<Value>,
    ) -> PyResult<YieldFromStep> {
        if let Some(step) = self.bare_yield_step(f, sub, &mut throw) {
            return step;
        }
        if let Value::Obj(o) = sub {
            if let Payload::Generator(_) = &o.payload {
                if let Some(t) = &throw {
                    // close() of the delegating generator closes the sub-generator first.
                    if let Value::Obj(te) = t {
                        if self.is_instance_of(te, &self.exc.generator_exit.clone()) {
                            self.gen_close(o)?;
                            return Err(self.exc_from_value(t.clone()));
                        }
                    }
                }
                return match self.resume_generator(o, sent, throw, Delivery::YieldFrom)? {
                    Some(frame) => Ok(YieldFromStep::Push(frame)),
                    None => Ok(YieldFromStep::Returned(Value::None)),
                };
            }
        }
        // An object that is its own `await` iterator (asyncio's `Future`), the commonest
        // sub-iterator after a coroutine; none is an async generator's awaitable below.
        if let Some(step) = self.self_await_of(sub) {
            if let Some(t) = throw {
                return Err(self.exc_from_value(t));
            }
            return Ok(match step(self, sub)? {
                GenResult::Yield(v) => YieldFromStep::Yielded(v),
                GenResult::Return(v) => YieldFromStep::Returned(v),
            });
        }
        // An async generator's `asend`/`__anext__` awaitable that sends into the body: the
        // body's frame runs on the interpreter's frame stack.
        if throw.is_none() {
            if let Some((agen, v)) = crate::builtins::asyncgen::begin_send(sub, sent.clone()) {
                let r = match self.resume_generator(&agen, v, None, Delivery::AsyncGenOp) {
                    Ok(Some(frame)) => return Ok(YieldFromStep::Push(frame)),
                    Ok(None) => Ok(GenResult::Return(Value::None)),
                    Err(e) => Err(e),
                };
                return self.async_gen_op_step(sub, r);
            }
        }
        // An async generator's `asend`/`athrow`/`aclose` awaitable, without the
        // StopIteration its methods would raise for the result.
        if let Some(r) =
            crate::builtins::asyncgen::try_op_step(self, sub, sent.clone(), throw.clone())
        {
            return match r? {
                GenResult::Yield(v) => Ok(YieldFromStep::Yielded(v)),
                GenResult::Return(v) => Ok(YieldFromStep::Returned(v)),
            };
        }
        // A native iterator or an object with send/throw.
        let r = if let Some(t) = throw {
            let name = self.names.throw.clone();
            match self.get_attr_opt(sub, &name)? {
                Some(m) => self.call(&m, &[t], &[]),
                None => Err(self.exc_from_value(t)),
            }
        } else if sent.is_none() && matches!(sub.payload(), Some(Payload::Iter(_))) {
            match self.next(sub) {
                Ok(Some(v)) => Ok(v),
                Ok(None) => return Ok(YieldFromStep::Returned(Value::None)),
                Err(e) => Err(e),
            }
        } else if sent.is_none() {
            // `__next__` directly: its StopIteration carries the return value.
            let cls = self.class_of(sub).clone();
            match self.lookup(&cls, &self.names.__next__) {
                Some(f) => self.call_slot(&f, std::slice::from_ref(sub)),
                None => Err(self.new_type_error(format!(
                    "'{}' object is not an iterator",
                    self.type_name(sub)
                ))),
            }
        } else {
            let name = self.names.send.clone();
            let m = self.get_attr(sub, &name)?;
            self.call(&m, &[sent], &[])
        };
        match r {
            Ok(v) => Ok(YieldFromStep::Yielded(v)),
            Err(e) => {
                if self.is_instance_of(&e, &self.exc.stop_iteration.clone()) {
                    let v = self.stop_iteration_value(&e);
                    Ok(YieldFromStep::Returned(v))
                } else {
                    Err(e)
                }
            }
        }
    }

    /// `types.coroutine` for a generator function: a copy of `func` (same defaults,
    /// closure, names and attributes) whose generators `await` accepts, as CPython's
    /// `CO_ITERABLE_COROUTINE` flag makes them. `None` when `func` is not a generator
    /// function; `func` itself when it is already a coroutine function. Internal: for the
    /// `types` module.
    #[doc(hidden)]
    pub fn iterable_coroutine(&mut self, func: &Value) -> Option<Value> {
        let Value::Obj(fo) = func else { return None };
        let Payload::Function(f) = &fo.payload else {
            return None;
        };
        if f.code.flags & (flags::COROUTINE | flags::ITERABLE_COROUTINE) != 0 {
            return Some(func.clone());
        }
        if f.code.flags & flags::GENERATOR == 0 {
            return None;
        }
        let mut code = (*f.code).clone();
        code.flags |= flags::ITERABLE_COROUTINE;
        let copy = crate::object::Function {
            code: std::rc::Rc::new(code),
            globals: f.globals.clone(),
            name: f.name.clone(),
            qualname: f.qualname.clone(),
            defaults: f.defaults.clone(),
            kwdefaults: f.kwdefaults.clone(),
            closure: f.closure.clone(),
            doc: f.doc.clone(),
            module: f.module.clone(),
        };
        let d = self.new_dict(crate::dict::Dict::new());
        if let (Some(src), Payload::Dict(dst)) = (fo.dict_table(), &d.payload) {
            *dst.borrow_mut() = src.borrow().clone();
        }
        Some(Value::Obj(self.track(crate::object::Object::with_dict(
            self.types.function.clone(),
            Payload::Function(Box::new(copy)),
            d,
        ))))
    }

    /// `StopIteration.value` (`None` when `e` has none). Internal: for natives that drive
    /// iterators by hand.
    #[doc(hidden)]
    pub fn stop_iteration_value(&self, e: &Obj) -> Value {
        match &e.payload {
            Payload::Exception(d) => d.borrow().extra.clone(),
            _ => Value::None,
        }
    }

    /// `GetYieldFromIter`.
    pub(crate) fn get_yield_from_iter(&mut self, v: &Value, code: &crate::code::Code) -> PyResult {
        if let Some(Payload::Generator(g)) = v.payload() {
            if g.kind == GenKind::Coroutine
                && code.flags & (flags::COROUTINE | flags::ITERABLE_COROUTINE) == 0
            {
                return Err(self.new_type_error(
                    "cannot 'yield from' a coroutine object in a non-coroutine generator",
                ));
            }
            return Ok(v.clone());
        }
        self.get_iter(v)
    }

    /// `GetAwaitable`: the iterator an `await` delegates to.
    pub(crate) fn get_awaitable(&mut self, v: &Value, kind: u32) -> PyResult {
        // `async for`: an async generator's `__anext__()` awaitable is its own iterator.
        if crate::builtins::asyncgen::is_op(v) {
            return Ok(v.clone());
        }
        if let Some(Payload::Generator(g)) = v.payload() {
            if g.kind == GenKind::Coroutine {
                // CPython's `_PyGen_yf`: only a coroutine suspended inside an `await` is
                // "being awaited". A running one fails when resumed ("coroutine already
                // executing"), a finished one with "cannot reuse already awaited coroutine".
                let in_await = g.state() == GenState::Suspended
                    && g.with_frame(|f| f.at_yield_from()) == Some(true);
                if in_await {
                    return Err(self.new_runtime_error("coroutine is being awaited already"));
                }
                return Ok(v.clone());
            }
            // A generator of a `types.coroutine` function.
            if g.kind == GenKind::Generator
                && g.with_frame(|f| f.code.flags & flags::ITERABLE_COROUTINE != 0) == Some(true)
            {
                return Ok(v.clone());
            }
        }
        if self.self_await_index(v).is_some() {
            return Ok(v.clone());
        }
        let cls = self.class_of(v).clone();
        if let Some(f) = self.lookup(&cls, &self.names.__await__) {
            let it = self.call_slot(&f, std::slice::from_ref(v))?;
            if let Some(Payload::Generator(g)) = it.payload() {
                if g.kind == GenKind::Coroutine {
                    return Err(self.new_type_error("__await__() returned a coroutine"));
                }
            }
            let icls = self.class_of(&it).clone();
            if self.lookup(&icls, &self.names.__next__).is_none()
                && !matches!(
                    it.payload(),
                    Some(Payload::Iter(_)) | Some(Payload::Generator(_))
                )
            {
                return Err(self.new_type_error(format!(
                    "__await__() returned non-iterator of type '{}'",
                    self.type_name(&it)
                )));
            }
            return Ok(it);
        }
        let msg = match kind {
            1 => format!("'async with' received an object from __aenter__ that does not implement __await__: {}", self.type_name(v)),
            2 => format!("'async with' received an object from __aexit__ that does not implement __await__: {}", self.type_name(v)),
            _ => format!("object {} can't be used in 'await' expression", self.type_name(v)),
        };
        Err(self.new_type_error(msg))
    }

    /// `GetAIter`: `v.__aiter__()`, which must return an object with `__anext__`.
    pub(crate) fn get_aiter(&mut self, v: &Value) -> PyResult {
        self.aiter_checked(v, false)
    }

    /// `v.__aiter__()` checked as CPython does, with the messages of `async for`
    /// (`builtin` false) or of the builtin `aiter()` (`builtin` true).
    pub(crate) fn aiter_checked(&mut self, v: &Value, builtin: bool) -> PyResult {
        let cls = self.class_of(v).clone();
        let Some(f) = self.lookup(&cls, &self.names.__aiter__) else {
            let msg = if builtin {
                format!("'{}' object is not an async iterable", self.type_name(v))
            } else {
                format!(
                    "'async for' requires an object with __aiter__ method, got {}",
                    self.type_name(v)
                )
            };
            return Err(self.new_type_error(msg));
        };
        let it = self.call_slot(&f, std::slice::from_ref(v))?;
        let it_cls = self.class_of(&it).clone();
        if self.lookup(&it_cls, &self.names.__anext__).is_none() {
            let msg = if builtin {
                format!(
                    "aiter() returned not an async iterator of type '{}'",
                    self.type_name(&it)
                )
            } else {
                format!(
                    "'async for' received an object from __aiter__ that does not implement __anext__: {}",
                    self.type_name(&it)
                )
            };
            return Err(self.new_type_error(msg));
        }
        Ok(it)
    }

    /// `GetANext`: the awaitable of `__anext__()`.
    pub(crate) fn get_anext(&mut self, it: &Value) -> PyResult {
        // An async generator (its class's `__anext__` cannot be replaced): its `asend`
        // awaitable, which is its own iterator, without the lookup and the call.
        if let Some(aw) = crate::builtins::asyncgen::anext_of(self, it) {
            return aw;
        }
        let cls = self.class_of(it).clone();
        match self.lookup(&cls, &self.names.__anext__) {
            Some(f) => {
                let aw = self.call_slot(&f, std::slice::from_ref(it))?;
                self.get_awaitable(&aw, 0).map_err(|_| {
                    self.new_type_error(format!(
                        "'async for' received an invalid object from __anext__: {}",
                        self.type_name(&aw)
                    ))
                })
            }
            None => Err(self.new_type_error(format!(
                "'async for' requires an iterator with __anext__ method, got {}",
                self.type_name(it)
            ))),
        }
    }

    /// The innermost running script frame whose file name does not start with `skip`: the
    /// user code that called into a library written in aio (asyncio records where tasks
    /// are created with it). Internal: for the standard library.
    #[doc(hidden)]
    pub fn caller_outside(&self, skip: &str) -> Option<FrameSummary> {
        self.frame_outside(skip).map(frame_summary)
    }

    /// The code and line of [`Vm::caller_outside`]'s frame, without building strings: a
    /// key for caching what was made from it. Internal: for the standard library.
    #[doc(hidden)]
    pub fn caller_outside_code(&self, skip: &str) -> Option<(Rc<Code>, u32)> {
        let f = self.frame_outside(skip)?;
        Some((f.code.clone(), f.line()))
    }

    /// The code and line of [`Vm::caller_frame`]'s frame, without building strings (what
    /// `logging` reads for each record). Internal: for the standard library.
    #[doc(hidden)]
    pub fn caller_code(&self, depth: usize) -> Option<(Rc<Code>, u32)> {
        let n = self.frames.len().checked_sub(depth + 1)?;
        let f = &self.frames[n];
        Some((f.code.clone(), f.line()))
    }

    /// The innermost running frame whose source name does not start with `skip`.
    fn frame_outside(&self, skip: &str) -> Option<&Frame> {
        self.frames
            .iter()
            .rev()
            .map(|f| &**f)
            .find(|f| !f.code.source.name.starts_with(skip))
    }

    /// The running script frame `depth` levels out from the innermost (0 is the frame that
    /// called the running native): where it is and its globals dict (what `warnings.warn`
    /// reads with CPython's `sys._getframe(stacklevel)`). Internal: for the standard library.
    #[doc(hidden)]
    pub fn caller_frame(&self, depth: usize) -> Option<(FrameSummary, crate::value::Obj)> {
        let n = self.frames.len().checked_sub(depth + 1)?;
        let f = &self.frames[n];
        Some((frame_summary(f), f.globals.clone()))
    }

    /// Where a suspended generator or coroutine waits, outermost first: for each frame of
    /// the `await`/`yield from` chain, its file, line and function name (for deadlock
    /// reports and `Task.get_stack`). Internal: for the standard library's `asyncio`.
    #[doc(hidden)]
    pub fn suspended_at(&self, coro: &Value) -> Vec<(String, u32, String)> {
        let mut out = Vec::new();
        let mut cur = coro.clone();
        while let Some(Payload::Generator(g)) = cur.payload() {
            let next = g.with_frame(|f| {
                out.push((
                    f.code.source.name.clone(),
                    f.code.line(f.ip as usize),
                    f.code.name.as_str().to_string(),
                ));
                if f.at_yield_from() {
                    f.stack.last().cloned()
                } else {
                    None
                }
            });
            match next.flatten() {
                Some(v) => cur = v,
                None => break,
            }
        }
        out
    }
}

/// One entry of a stack summary, as CPython's `traceback.FrameSummary`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameSummary {
    /// The file name.
    pub file: String,
    /// The line running.
    pub line: u32,
    /// The function name.
    pub name: String,
    /// The source line, stripped (empty when unknown).
    pub text: String,
}

/// Where frame `f` is: its file, line, function and the source line.
fn frame_summary(f: &Frame) -> FrameSummary {
    let line = f.line();
    let src = &f.code.source;
    FrameSummary {
        file: src.name.clone(),
        line,
        name: f.code.name.as_str().to_string(),
        text: src.lines().line_text(&src.text, line).trim().to_string(),
    }
}
