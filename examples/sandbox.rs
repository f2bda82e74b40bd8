//! An untrusted script under limits: no network, no stdlib beyond `math`, bounded steps,
//! time and memory. Each attempt fails cleanly and the same VM runs the next one.
//!
//! Run: `cargo run -p aio-stdlib --example sandbox`

use aio_vm::Limits;
use std::time::Duration;

const ATTEMPTS: &[(&str, &str)] = &[
    ("loop", "while True:\n    pass\n"),
    ("memory", "x = []\nwhile True:\n    x.append([0] * 1000)\n"),
    (
        "swallow",
        "while True:\n    try:\n        while True:\n            pass\n    except BaseException:\n        pass\n",
    ),
    ("import", "import asyncio\n"),
    ("ok", "import math\nresult = math.factorial(20)\n"),
];

/// Runs each attempt; returns one line per attempt.
pub fn run() -> Vec<String> {
    let mut vm = aio_stdlib::VmBuilder::new()
        .module("math")
        .limits(Limits {
            steps: Some(1_000_000),
            time: Some(Duration::from_secs(2)),
            memory: Some(32 << 20),
            recursion: Some(200),
        })
        .build();
    let mut log = Vec::new();
    for (name, src) in ATTEMPTS {
        // A fresh `__main__` per attempt: what one attempt allocated is freed before the next.
        let line = match vm.run_source(src, "<untrusted>", "__main__") {
            Ok(_) => format!("{name}: ok"),
            Err(e) => format!(
                "{name}: {}",
                e.to_string().lines().last().unwrap_or_default()
            ),
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
