//! The frozen table `build.rs` writes: every module written in aio is in it, and importing
//! from it behaves as compiling the source does.

mod common;

use aio_vm::frozen::Frozen;
use common::Sink;
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;

fn aio_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            aio_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "aio") {
            out.push(p);
        }
    }
}

#[test]
fn every_module_source_and_the_vms_own_are_frozen() {
    let table = Frozen::new(aio_stdlib::FROZEN).expect("a valid table");
    let mut files = Vec::new();
    aio_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    assert!(files.len() > 100, "{} files", files.len());
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        assert!(
            table.lookup(&text).is_some(),
            "{} is not frozen",
            f.display()
        );
    }
    for text in aio_vm::frozen::VM_SOURCES {
        assert!(table.lookup(text).is_some());
    }
    assert!(table.len() >= files.len());
}

/// The same program gives the same output, tracebacks included, with modules loaded from
/// the table and with modules compiled from source.
#[test]
fn frozen_and_compiled_modules_behave_alike() {
    let program = "\
import asyncio, collections, dataclasses, json, logging, traceback
@dataclasses.dataclass(order=True)
class P:
    x: int
    y: int = 2
async def main():
    await asyncio.sleep(0)
    return sorted([P(3), P(1, 5)])
print(asyncio.run(main()), collections.Counter('abca').most_common(1))
print(json.dumps({'a': [1, 2.5, None]}, indent=1))
try:
    json.loads('[1,')
except ValueError:
    print(traceback.format_exc().splitlines()[-3:])
";
    let run = |frozen: bool| {
        let mut vm = aio_vm::Vm::new();
        aio_stdlib::install(&mut vm);
        if !frozen {
            vm.clear_frozen();
        }
        let out = Rc::new(RefCell::new(Vec::new()));
        vm.set_stdout(Box::new(Sink(out.clone())));
        let r = vm.exec(program).map_err(|e| e.to_string());
        vm.flush_stdout();
        let text = String::from_utf8(out.borrow().clone()).unwrap();
        (text, r)
    };
    let (a, b) = (run(true), run(false));
    assert_eq!(a, b);
    assert!(a.1.is_ok(), "{a:?}");
    assert!(a.0.contains("[P(x=1, y=5), P(x=3, y=2)]"), "{a:?}");
}
