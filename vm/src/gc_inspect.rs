//! What the `gc` module shows of the collector beyond collecting: the tracked objects, what
//! an object references and what references it (`get_objects`, `get_referents`,
//! `get_referrers`, from the collector's own tracing), and `gc.callbacks`, called around
//! each collection with CPython's phases and info dict.

use crate::gc::{trace_with, Visit};
use crate::object::Payload;
use crate::value::{Obj, Value};
use crate::vm::Vm;

/// Collects what an object references, as values (ints and strs included).
struct Referents(Vec<Value>);

impl Visit for Referents {
    fn obj(&mut self, o: &Obj) {
        self.0.push(Value::Obj(o.clone()));
    }
    fn value(&mut self, v: &Value) {
        self.0.push(v.clone());
    }
    /// Only classes made by `class` statements (CPython's heap types) are referents.
    fn class(&mut self, c: &Obj) {
        if c.as_type().is_some_and(|t| t.heap) {
            self.obj(c);
        }
    }
}

/// Whether anything an object references is one of `targets`.
struct Refers<'a> {
    targets: &'a [Value],
    found: bool,
}

impl Visit for Refers<'_> {
    fn obj(&mut self, o: &Obj) {
        let v = Value::Obj(o.clone());
        self.value(&v);
    }
    fn value(&mut self, v: &Value) {
        if !self.found && self.targets.iter().any(|t| t.is(v)) {
            self.found = true;
        }
    }
}

impl Vm {
    /// `gc.get_referents(*objs)`: what each object references directly, in order (a list's
    /// or tuple's items last to first, as CPython's traversal visits them).
    pub fn gc_referents(&self, objs: &[Value]) -> Vec<Value> {
        let mut out = Referents(Vec::new());
        for v in objs {
            if let Value::Obj(o) = v {
                let start = out.0.len();
                trace_with(o, &mut out);
                if matches!(o.payload, Payload::List(_) | Payload::Tuple(_)) {
                    out.0[start..].reverse();
                }
            }
        }
        out.0
    }

    /// `gc.get_referrers(*objs)`: the tracked objects that reference any of `objs`.
    pub fn gc_referrers(&self, objs: &[Value]) -> Vec<Value> {
        self.gc
            .live_objects()
            .into_iter()
            .filter(|o| {
                let mut r = Refers {
                    targets: objs,
                    found: false,
                };
                trace_with(o, &mut r);
                r.found
            })
            .map(Value::Obj)
            .collect()
    }

    /// `gc.collect(generation)` with `gc.callbacks` (the `gc` module's list, when it is not
    /// empty) called as `callback("start", info)` before and `callback("stop", info)`
    /// after, `info` being `{'generation': generation, 'collected': n, 'uncollectable':
    /// 0}`. A callback's exception is reported as unraisable. A collection asked for from
    /// a callback does nothing and finds 0, as in CPython.
    pub fn collect_with_callbacks(&mut self, generation: i64) -> usize {
        if self.gc.in_callbacks.get() {
            return 0;
        }
        let callbacks = self.gc.callbacks();
        self.gc_callbacks(&callbacks, "start", generation, 0);
        let n = self.collect_garbage();
        self.gc_callbacks(&callbacks, "stop", generation, n);
        n
    }

    /// An automatic collection, deferred to a finalization point because `gc.callbacks`
    /// is not empty: reported to them as CPython reports a young collection (generation
    /// 0; aio's one generation stands for `get_count()`'s first).
    pub(crate) fn collect_automatically(&mut self) {
        self.collect_with_callbacks(0);
    }

    fn gc_callbacks(&mut self, callbacks: &Value, phase: &str, generation: i64, collected: usize) {
        let list = match callbacks.payload() {
            Some(Payload::List(l)) => l.borrow().clone(),
            _ => return,
        };
        if list.is_empty() {
            return;
        }
        self.gc.in_callbacks.set(true);
        let info = self.new_dict(crate::dict::Dict::new());
        for (k, v) in [
            ("generation", generation),
            ("collected", collected as i64),
            ("uncollectable", 0),
        ] {
            self.dict_set_str(&info, k, Value::Int(v));
        }
        let phase = Value::str(phase);
        for cb in list {
            if let Err(e) = self.call(&cb, &[phase.clone(), Value::Obj(info.clone())], &[]) {
                let what = self
                    .repr(&cb)
                    .map(|r| r.as_str().to_string())
                    .unwrap_or_default();
                self.report_unraisable_in("in", &what, &e);
            }
        }
        self.gc.in_callbacks.set(false);
    }
}
