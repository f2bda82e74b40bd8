//! Frame objects as aio hands them out (`sys._getframe`, a generator's `gi_frame`, a
//! traceback's `tb_frame`): instances of the built-in `frame` class holding a snapshot of
//! the frame's attributes (`f_code`, `f_lineno`, `f_lasti`, `f_globals`, `f_builtins`,
//! `f_locals`, `f_back`). aio has no live frame objects: the attributes do not follow the
//! frame as it goes on running.

use crate::code::Code;
use crate::dict::Dict;
use crate::frame::Frame;
use crate::object::{Object, Payload};
use crate::value::{Obj, Value};
use crate::vm::Vm;
use std::rc::Rc;

/// `f_locals` of `f`: the namespace itself for module and class bodies, a fresh dict for
/// functions, in CPython's order (fast locals, then cell variables, then free variables; a
/// cell that is also an argument keeps the argument's place and shows the cell's value).
pub(crate) fn locals(vm: &Vm, f: &Frame) -> Value {
    if let Some(ns) = f.namespace() {
        return Value::Obj(ns.clone());
    }
    let code = &f.code;
    let cell_names = code.cellvars.iter().chain(code.freevars.iter());
    let cell_values = f.cells().iter().map(|c| match &c.payload {
        Payload::Cell(c) => c.borrow().clone(),
        _ => None,
    });
    let mut d = Dict::new();
    for (n, v) in code
        .varnames
        .iter()
        .zip(f.locals.iter().cloned())
        .chain(cell_names.zip(cell_values))
    {
        if let Some(v) = v {
            d.set_str(n.clone(), v);
        }
    }
    Value::Obj(vm.new_dict(d))
}

/// What a frame object shows of a frame, read while the frame is borrowed.
pub(crate) struct FrameParts {
    code: Rc<Code>,
    line: u32,
    ip: usize,
    globals: Obj,
    locals: Value,
}

impl FrameParts {
    /// The parts of `f`.
    pub(crate) fn of(vm: &Vm, f: &Frame) -> FrameParts {
        FrameParts {
            code: f.code.clone(),
            // A generator that has not started is at its `def` line, as in CPython.
            line: if f.ip == 0 {
                f.code.firstlineno
            } else {
                f.line()
            },
            ip: f.ip as usize,
            globals: f.globals.clone(),
            locals: locals(vm, f),
        }
    }

    /// A `frame` object of these parts, whose caller's frame object is `back` (`None` for
    /// the outermost frame and for suspended generators).
    pub(crate) fn into_frame(self, vm: &mut Vm, back: Value) -> Value {
        let d = vm.new_dict(Dict::new());
        let code = super::code_object(&vm.types, self.code);
        vm.dict_set_str(&d, "f_code", Value::Obj(code));
        vm.dict_set_str(&d, "f_lineno", Value::Int(i64::from(self.line)));
        vm.dict_set_str(&d, "f_lasti", Value::Int(self.ip as i64 * 2));
        vm.dict_set_str(&d, "f_globals", Value::Obj(self.globals));
        vm.dict_set_str(&d, "f_builtins", Value::Obj(vm.builtins.clone()));
        vm.dict_set_str(&d, "f_locals", self.locals);
        vm.dict_set_str(&d, "f_back", back);
        let frame = Object::with_dict(vm.types.frame.clone(), Payload::Plain, d);
        Value::Obj(vm.track(frame))
    }
}
