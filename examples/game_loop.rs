//! A host steps a script once per frame. First, the script defines `update(dt)`, the host
//! calls it each frame under a step budget, and reports frames that overran it (the VM stays
//! usable). Then the script runs coroutines on an asyncio loop that the host steps each frame
//! for a time budget ([`HostLoop::run_for`]); a coroutine waits for the next frame with
//! `await next_frame()`.
//!
//! Run: `cargo run -p aio-stdlib --example game_loop`

use aio_stdlib::asyncio::HostLoop;
use aio_vm::{Error, Limits, Value};
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

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

const CUTSCENE: &str = "\
import asyncio
frame_waiters = []

def tick():
    # The host calls this at the start of each frame: coroutines waiting for it go on.
    for fut in frame_waiters:
        fut.set_result(None)
    frame_waiters.clear()

async def next_frame():
    fut = asyncio.get_running_loop().create_future()
    frame_waiters.append(fut)
    await fut

async def door(name, frames):
    say(f'{name} opening')
    for _ in range(frames):
        await next_frame()
    say(f'{name} open')

async def cutscene():
    await asyncio.gather(door('gate', 2), door('hatch', 1))
    say('cutscene over')
    return 'played'
";

/// Steps an asyncio loop once per frame until the cutscene task ends; returns the log.
///
/// `run_for` returns as soon as the loop is idle, so each frame takes only the time its
/// work needs; the budget caps a frame with too much to do. It is generous here (100 ms) so
/// that the log does not depend on the machine's load (a debug build on a busy machine
/// overran 2 ms in the first frame and printed an extra frame line).
pub fn run_cutscene() -> Vec<String> {
    let mut vm = aio_stdlib::VmBuilder::new().with_stdlib().build();
    let log = Rc::new(RefCell::new(Vec::new()));
    let sink = log.clone();
    vm.register_fn("say", move |s: String| sink.borrow_mut().push(s));
    vm.exec(CUTSCENE).expect("script loads");
    let lp = HostLoop::new(&mut vm).expect("asyncio is available");
    let coro: Value = vm.call_function("cutscene", ()).expect("a coroutine");
    let task = lp.spawn(&mut vm, coro).expect("a task");
    for frame in 1..=10 {
        log.borrow_mut().push(format!("frame {frame}"));
        vm.call_function::<()>("tick", ()).expect("tick runs");
        lp.run_for(&mut vm, Duration::from_millis(100))
            .expect("the loop runs");
        if let Some(outcome) = lp.result::<String>(&mut vm, &task).expect("no error") {
            log.borrow_mut().push(format!("task result: {outcome}"));
            break;
        }
        // A real game would render here and sleep until the next frame.
    }
    lp.close(&mut vm).expect("the loop closes");
    for line in log.borrow().iter() {
        println!("{line}");
    }
    let lines = log.borrow().clone();
    lines
}

#[allow(dead_code)] // the tests call `run`
fn main() {
    run();
    run_cutscene();
}
