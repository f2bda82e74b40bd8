//! `pyexpat` (and `xml.parsers.expat` over it): CPython's interface to the expat XML
//! parser. The scanning is native (`scan.rs`: expat's events, pieces of character data,
//! positions and error codes); the `xmlparser` objects — handler attributes, namespace
//! processing, `buffer_text`, `ordered_attributes`, `ExpatError` — are `pyexpat.aio`,
//! which reads the scanner's events as tuples `(kind, ...fields, line, column, byte index)`.

mod scan;

use crate::native_class::native_class;
use aio_vm::module::{native_state, new_native_instance, ClassBuilder};
use aio_vm::native::{Args, NativeImpl};
use aio_vm::{Obj, PyResult, Value, Vm};
use scan::{Event, Pos, Scanner};
use std::rc::Rc;

const SOURCE: crate::source::Source = ("pyexpat/pyexpat.aio", include_str!("pyexpat.aio"));

/// Initialises `pyexpat`: the native `_Scanner` class, then `pyexpat.aio`.
pub fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    let cls = native_class(vm, "pyexpat", "_Scanner");
    ClassBuilder::new(vm, &cls)
        .method("feed", feed)
        .method("position", position);
    let g = vm.module_globals(m).expect("a module has globals");
    let c = cls.clone();
    let make = aio_vm::builtins::module_native(
        vm,
        "pyexpat",
        "_scanner",
        NativeImpl::Closure(Rc::new(move |vm: &mut Vm, a: Args<'_>| {
            a.check_count(vm, "_scanner", 0, 0)?;
            Ok(new_native_instance(vm, &c, Scanner::new()))
        })),
    );
    vm.dict_set_str(&g, "_scanner", make);
    // CPython's pyexpat is C: its frames never show in tracebacks, so neither do these.
    vm.hidden_sources.insert(SOURCE.0.to_string());
    crate::source::run(vm, m, &[SOURCE])
}

fn scanner<'a>(vm: &mut Vm, v: &'a Value) -> PyResult<&'a std::cell::RefCell<Scanner>> {
    native_state::<Scanner>(v).ok_or_else(|| vm.new_type_error("a pyexpat scanner expected"))
}

/// `scanner.position()`: `(line, column, byte index)` of the text not consumed yet.
fn position(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "_Scanner.position", 0, 0)?;
    let p = scanner(vm, &a.pos[0])?.borrow().position();
    Ok(pos_tuple(vm, p, Vec::new()))
}

/// `scanner.feed(text, final)`: `(events, error)`, each event a tuple `(kind, *fields,
/// line, column, byte index)` and the error `None` or `(code, line, column, byte index)`.
fn feed(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "_Scanner.feed", 2, 2)?;
    let Value::Str(text) = &a.pos[1] else {
        return Err(vm.new_type_error("feed() needs a str"));
    };
    let last = vm.is_true(&a.pos[2])?;
    let (events, error) = scanner(vm, &a.pos[0])?
        .borrow_mut()
        .feed(text.as_str(), last);
    let mut out = Vec::with_capacity(events.len());
    for (p, e) in events {
        let v = event_tuple(vm, p, e);
        out.push(v);
    }
    let events = vm.new_list(out);
    let error = match error {
        Some((code, p)) => pos_tuple(vm, p, vec![Value::Int(code.into())]),
        None => Value::None,
    };
    Ok(vm.new_tuple(vec![events, error]))
}

/// `(*head, line, column, byte index)` for an error, `(line, column, byte index)` else.
fn pos_tuple(vm: &mut Vm, p: Pos, mut head: Vec<Value>) -> Value {
    head.extend([
        Value::Int(p.line.into()),
        Value::Int(p.col.into()),
        Value::Int(p.byte as i64),
    ]);
    vm.new_tuple(head)
}

fn opt(s: Option<String>) -> Value {
    s.map(Value::str).unwrap_or(Value::None)
}

/// The event kinds `pyexpat.aio` reads (`_START` ...), in this order.
fn event_tuple(vm: &mut Vm, p: Pos, e: Event) -> Value {
    let (kind, fields): (i64, Vec<Value>) = match e {
        Event::Start(name, attrs) => {
            let mut flat = Vec::with_capacity(2 * attrs.len());
            for (k, v) in attrs {
                flat.push(Value::str(k));
                flat.push(Value::str(v));
            }
            (0, vec![Value::str(name), vm.new_list(flat)])
        }
        Event::End(name) => (1, vec![Value::str(name)]),
        Event::Text(t) => (2, vec![Value::str(t)]),
        Event::EntityRef(name, pieces) => {
            let pieces = pieces
                .map(|p| vm.new_list(p.into_iter().map(Value::str).collect()))
                .unwrap_or(Value::None);
            (3, vec![Value::str(name), pieces])
        }
        Event::Comment(t) => (4, vec![Value::str(t)]),
        Event::Pi(target, data) => (5, vec![Value::str(target), Value::str(data)]),
        Event::CdataStart => (6, vec![]),
        Event::CdataEnd => (7, vec![]),
        Event::XmlDecl(version, encoding, standalone) => (
            8,
            vec![
                Value::str(version),
                opt(encoding),
                Value::Int(standalone.into()),
            ],
        ),
        Event::DoctypeStart(name, system, public, subset) => (
            9,
            vec![
                Value::str(name),
                opt(system),
                opt(public),
                Value::Int(subset.into()),
            ],
        ),
        Event::DoctypeEnd => (10, vec![]),
        Event::EntityDecl(d) => (
            11,
            vec![
                Value::str(d.name),
                Value::Int(d.parameter.into()),
                opt(d.value),
                opt(d.system_id),
                opt(d.public_id),
                opt(d.notation),
            ],
        ),
        Event::Default(t) => (12, vec![Value::str(t)]),
    };
    pos_tuple(vm, p, [vec![Value::Int(kind)], fields].concat())
}
