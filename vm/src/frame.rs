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
///
/// Every suspended generator and coroutine keeps one, so it is kept to 112 bytes (one of
/// mimalloc's size classes, tested): the parts most frames lack (cells, a namespace, a
/// pending throw) live in one optional box, which a pooled frame keeps for its next call.
pub struct Frame {
    /// The code.
    pub code: Rc<Code>,
    /// The next instruction (an index into the code's instructions).
    pub ip: u32,
    /// Where the outcome goes.
    pub delivery: Delivery,
    /// The value stack.
    pub stack: Vec<Value>,
    /// Fast locals (`None` = unbound).
    pub locals: Vec<Option<Value>>,
    /// The globals (a dict object).
    pub globals: Obj,
    /// Active handlers.
    pub blocks: Vec<Block>,
    /// The generator object owning this frame, while it runs.
    pub generator: Option<Obj>,
    /// Cells, the namespace and a pending throw, for the frames that have any.
    extra: Option<Box<FrameExtra>>,
}

/// The rarer parts of a [`Frame`].
#[derive(Default)]
struct FrameExtra {
    /// Cell objects: cell variables, then free variables.
    cells: Vec<Obj>,
    /// The local namespace of module and class bodies (a dict object).
    namespace: Option<Obj>,
    /// An exception to throw into a `YieldFrom` delegation on resume.
    pending_throw: Option<Value>,
}

impl Frame {
    /// A frame of `code` at its start, with room on its stack for what the code needs.
    pub fn new(
        code: Rc<Code>,
        globals: Obj,
        delivery: Delivery,
        locals: Vec<Option<Value>>,
    ) -> Box<Frame> {
        Box::new(Frame {
            ip: 0,
            stack: Vec::with_capacity(code.max_stack as usize),
            locals,
            code,
            globals,
            blocks: Vec::new(),
            delivery,
            generator: None,
            extra: None,
        })
    }

    /// The extra parts, made on first use.
    #[inline]
    fn extra_mut(&mut self) -> &mut FrameExtra {
        self.extra.get_or_insert_with(Box::default)
    }

    /// Cell objects: cell variables, then free variables.
    #[inline(always)]
    pub fn cells(&self) -> &[Obj] {
        match &self.extra {
            Some(e) => &e.cells,
            None => &[],
        }
    }

    /// The cells, to fill or empty.
    pub fn cells_mut(&mut self) -> &mut Vec<Obj> {
        &mut self.extra_mut().cells
    }

    /// The local namespace of module and class bodies (a dict object).
    #[inline(always)]
    pub fn namespace(&self) -> Option<&Obj> {
        self.extra.as_ref().and_then(|e| e.namespace.as_ref())
    }

    /// Sets the local namespace (module and class bodies, `exec`).
    pub fn set_namespace(&mut self, ns: Option<Obj>) {
        if ns.is_some() || self.extra.is_some() {
            self.extra_mut().namespace = ns;
        }
    }

    /// The exception to throw into a `YieldFrom` delegation on resume, if any.
    pub fn pending_throw(&self) -> Option<&Value> {
        self.extra.as_ref().and_then(|e| e.pending_throw.as_ref())
    }

    /// Takes the pending throw.
    #[inline(always)]
    pub fn take_pending_throw(&mut self) -> Option<Value> {
        match &mut self.extra {
            Some(e) => e.pending_throw.take(),
            None => None,
        }
    }

    /// Makes `exc` the exception thrown in when the frame resumes.
    pub fn set_pending_throw(&mut self, exc: Value) {
        self.extra_mut().pending_throw = Some(exc);
    }

    /// Empties the extra parts (a frame going back to the pool keeps their box).
    #[inline(always)]
    pub(crate) fn clear_extra(&mut self) {
        if let Some(e) = &mut self.extra {
            e.clear();
        }
    }

    /// Drops the extra parts when empty and trims the cells to their length (a frame
    /// kept suspended holds only what it uses).
    pub(crate) fn trim_extra(&mut self) {
        if let Some(e) = &mut self.extra {
            if e.cells.is_empty() && e.namespace.is_none() && e.pending_throw.is_none() {
                self.extra = None;
            } else {
                e.cells.shrink_to_fit();
            }
        }
    }

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
            self.code.instrs.get(self.ip as usize),
            Some(crate::code::Instr::YieldFrom)
        )
    }

    /// The line of the instruction that is running (or last ran).
    pub fn line(&self) -> u32 {
        match self.ip {
            // Nothing has run yet: the `def` line (CPython's `f_lineno` of a new frame).
            0 => self.code.firstlineno,
            ip => self.code.line(ip as usize - 1),
        }
    }
}

impl FrameExtra {
    /// Empties every part, keeping the cells' room (inline: every return of a pooled
    /// frame that once had cells runs it).
    #[inline(always)]
    fn clear(&mut self) {
        if !self.cells.is_empty() {
            self.cells.clear();
        }
        if self.namespace.is_some() {
            self.namespace = None;
        }
        if self.pending_throw.is_some() {
            self.pending_throw = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Frame;

    /// A suspended coroutine keeps its frame: 112 bytes is one of mimalloc's size classes
    /// (the next is 128, then 160).
    #[test]
    fn frame_is_112_bytes() {
        assert_eq!(std::mem::size_of::<Frame>(), 112);
    }
}
