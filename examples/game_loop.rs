//! A host steps a script once per frame: the script defines `update(dt)`, the host calls it
//! each frame under a step budget, and reports frames that overran it (the VM stays usable).
//!
//! Run: `cargo run -p aio-stdlib --example game_loop`

use aio_vm::{Error, Limits};

const SCRIPT: &str = "\
x = 0.0
frame = 0
def update(dt):
    global x, frame
    frame += 1
    x += 10 * dt
    if frame == 3:
        while True:      # a bug: this frame never ends
            pass
    return x
";

/// Runs 5 frames; returns one line per frame.
pub fn run() -> Vec<String> {
    let mut vm = aio_stdlib::VmBuilder::new().with_stdlib().build();
    vm.exec(SCRIPT).expect("script loads");
    vm.set_limits(Limits {
        steps: Some(10_000),
        ..Limits::default()
    });
    let mut log = Vec::new();
    for frame in 1..=5 {
        let line = match vm.call_function::<f64>("update", (0.5,)) {
            Ok(x) => format!("frame {frame}: x = {x}"),
            Err(Error::Limit(why)) => format!("frame {frame}: overran its budget ({why})"),
            Err(e) => format!("frame {frame}: error\n{e}"),
        };
        println!("{line}");
        log.push(line);
    }
    log
}

#[allow(dead_code)] // the tests call `run`
fn main() {
    run();
}
