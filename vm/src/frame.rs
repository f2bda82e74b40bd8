//! Frames: the activation record of a running body — instruction pointer, value stack,
//! fast locals, cells, and the block stack of active `try`/`with` handlers. Frames live on
//! the heap (`Box<Frame>`) so a generator or coroutine can keep its frame while suspended.

use crate::code::Code;
use crate::value::{Obj, Value};
use std::rc::Rc;

/// What a block on the block stack is.
#[derive(Clone)]
pub enum Block {
    /// `SetupFinally`/`SetupWith`: on an exception, truncate the stack to `level`, push the
    /// exception and jump to `handler`.
    Finally {
        /// Handler instruction index.
        handler: u32,
        /// Stack depth to restore.
        level: u32,
    },
    /// Inside an `except`/`finally` handler: the exception being handled.
    ExceptHandler {
        /// Stack depth to restore when leaving by an exception.
        level: u32,
        /// The exception being handled (`sys.exc_info()`, implicit `__context__`).
        exc: Value,
    },
}

/// How a frame's outcome reaches whoever started it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// A call from a script frame: the return value is pushed on the caller's stack.
    Call,
    /// `exec` called from a script: `None` is pushed on the caller's stack, whatever the
    /// code returns (a code object compiled for `eval` returns its value).
    Exec,
    /// `__init__` run by a class call: the instance is already on the caller's stack; the
    /// return value must be `None`.
    Init,
    /// A generator resumed by the caller's `ForIter`.
    ForIter,
    /// A generator or coroutine resumed by the caller's `YieldFrom` (delegation/`await`).
    YieldFrom,
    /// An async generator's body resumed by the caller's `YieldFrom` on one of its
    /// `asend`/`__anext__` awaitables (the caller's top of stack): the outcome goes through
    /// `asyncgen::finish_send`, then to the caller as a `YieldFrom` step's.
    AsyncGenOp,
    /// An async generator's body stepped by the caller's `async for` with no `__anext__`
    /// awaitable (the caller's `GetANext` skipped its `LoadConst None` and `YieldFrom`): a
    /// yielded value is pushed on the caller's stack, a return raises
    /// `StopAsyncIteration` in it. When an `await` in the body first passes a value up to
    /// the event loop, the awaitable is made, already started, and the caller delegates to
    /// it from its `YieldFrom`, as if it had awaited it all along.
    AsyncFor,
    /// A generator or coroutine resumed by a script's `gen.send(value)`: a yielded value is
    /// pushed on the caller's stack, a return raises `StopIteration(value)` in the caller.
    Send,
    /// Started from Rust (`Vm::call`, a generator's `send`): the run loop returns.
    Native,
    /// A coroutine function's body called by `await f(...)` and run at once as a plain
    /// call, with no coroutine object (the caller's `GetAwaitable`, `LoadConst None` and
    /// `YieldFrom` skipped): its return value is the `await`'s. When it first suspends,
    /// the coroutine object is made around it and the caller delegates to it from its
    /// `YieldFrom`, as if it had awaited that object all along.
    EagerAwait,
}

/// A running or suspended body.
pub struct Frame {
    /// The code.
    pub code: Rc<Code>,
    /// The next instruction.
    pub ip: usize,
    /// The value stack.
    pub stack: Vec<Value>,
    /// Fast locals (`None` = unbound).
    pub locals: Vec<Option<Value>>,
    /// Cell objects: cell variables, then free variables.
    pub cells: Vec<Obj>,
    /// The globals (a dict object).
    pub globals: Obj,
    /// The local namespace of module and class bodies (a dict object).
    pub namespace: Option<Obj>,
    /// Active handlers.
    pub blocks: Vec<Block>,
    /// Where the outcome goes.
    pub delivery: Delivery,
    /// The generator object owning this frame, while it runs.
    pub generator: Option<Obj>,
    /// An exception to throw into a `YieldFrom` delegation on resume.
    pub pending_throw: Option<Value>,
}

impl Frame {
    /// Pushes a handler block. A fresh frame's first block reserves room for two, not
    /// `Vec`'s four: a suspended coroutine keeps its frame, and most bodies nest one or
    /// two handlers.
    #[inline]
    pub fn push_block(&mut self, b: Block) {
        if self.blocks.capacity() == 0 {
            self.blocks.reserve_exact(2);
        }
        self.blocks.push(b);
    }

    /// Whether the frame is suspended inside a `yield from`/`await` (its next instruction
    /// resumes the delegation; CPython's `_PyGen_yf` test).
    pub fn at_yield_from(&self) -> bool {
        matches!(
            self.code.instrs.get(self.ip),
            Some(crate::code::Instr::YieldFrom)
        )
    }

    /// The line of the instruction that is running (or last ran).
    pub fn line(&self) -> u32 {
        match self.ip {
            // Nothing has run yet: the `def` line (CPython's `f_lineno` of a new frame).
            0 => self.code.firstlineno,
            ip => self.code.line(ip - 1),
        }
    }
}
