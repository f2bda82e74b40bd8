//! A host gives scripts a native module, built with the same `ModuleBuilder` the standard
//! library's `math` uses, plus a typed closure capturing host state.
//!
//! Run: `cargo run -p aio-stdlib --example host_module`

use aio_vm::module::ModuleBuilder;
use aio_vm::native::Args;
use aio_vm::{Obj, PyResult, Value, Vm};
use std::cell::RefCell;
use std::rc::Rc;

fn clamp(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "clamp", 3, 3)?;
    let [x, lo, hi] = [0, 1, 2].map(|i| aio_vm::module::to_f64(vm, &a.pos[i]));
    Ok(Value::float(x?.clamp(lo?, hi?)))
}

fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    let mut b = ModuleBuilder::new(vm, m);
    b.function("clamp", clamp)
        .constant("GRAVITY", 9.81)
        .typed_fn("lerp", |a: f64, b: f64, t: f64| a + (b - a) * t);
    Ok(())
}

/// Runs the example and returns what the script reported.
pub fn run() -> Vec<String> {
    let mut vm = Vm::new();
    vm.register_module("physics", init);
    let out = Rc::new(RefCell::new(Vec::new()));
    let sink = out.clone();
    vm.register_fn("report", move |s: String| sink.borrow_mut().push(s));
    vm.exec(
        "import physics\n\
         report(f'{physics.clamp(12, 0, 10)} {physics.lerp(0, 10, 0.25)} {physics.GRAVITY}')\n",
    )
    .expect("script runs");
    for line in out.borrow().iter() {
        println!("{line}");
    }
    let lines = out.borrow().clone();
    lines
}

#[allow(dead_code)] // the tests call `run`
fn main() {
    run();
}
