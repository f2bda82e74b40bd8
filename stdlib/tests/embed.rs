//! `VmBuilder`: module selection and the file-system and network sandbox.

use aio_stdlib::VmBuilder;
use aio_vm::{Error, LimitExceeded, Limits};

fn last_line(e: Error) -> String {
    e.to_string().lines().last().unwrap_or_default().to_string()
}

#[test]
fn builder_selects_modules() {
    let mut vm = VmBuilder::new().with_stdlib().without("random").build();
    vm.exec("import math, time\nx = math.floor(2.5)").unwrap();
    assert_eq!(vm.get_global::<i64>("x").unwrap(), 2);
    assert_eq!(
        last_line(vm.exec("import random").unwrap_err()),
        "ModuleNotFoundError: No module named 'random'"
    );
    let mut bare = VmBuilder::new().build();
    assert_eq!(
        last_line(bare.exec("import math").unwrap_err()),
        "ModuleNotFoundError: No module named 'math'"
    );
    bare.exec("x = len('abc')").unwrap();
}

#[test]
fn network_is_denied_unless_allowed() {
    let mut vm = VmBuilder::new().module("asyncio").build();
    let src = "import asyncio\n\
               async def main():\n    await asyncio.open_connection('127.0.0.1', 9)\n\
               asyncio.run(main())\n";
    assert_eq!(
        last_line(vm.exec(src).unwrap_err()),
        "PermissionError: network access is not allowed in this VM"
    );
    // Without network, asyncio itself works.
    vm.exec("async def two():\n    await asyncio.sleep(0)\n    return 2\nr = asyncio.run(two())")
        .unwrap();
    assert_eq!(vm.get_global::<i64>("r").unwrap(), 2);
    // Allowed: the connection is attempted (and refused, or it succeeds on a machine that
    // listens on the discard port) rather than denied.
    let mut vm = VmBuilder::new()
        .module("asyncio")
        .allow_network(true)
        .build();
    if let Err(e) = vm.exec(src) {
        assert!(!e.to_string().contains("not allowed"), "{e}");
    }
}

#[test]
fn filesystem_is_denied_unless_allowed() {
    let mut vm = VmBuilder::new().with_stdlib().build();
    assert_eq!(
        last_line(vm.exec("f = open('Cargo.toml')").unwrap_err()),
        "NameError: name 'open' is not defined"
    );
    assert_eq!(
        last_line(vm.exec("import os").unwrap_err()),
        "ModuleNotFoundError: No module named 'os'"
    );
    assert_eq!(
        last_line(vm.exec("import pathlib").unwrap_err()),
        "ModuleNotFoundError: No module named 'pathlib'"
    );
    assert_eq!(
        last_line(vm.exec("import io\nio.open('Cargo.toml')").unwrap_err()),
        "AttributeError: module 'io' has no attribute 'open'"
    );
    // In-memory streams and the pure modules still work.
    vm.exec("s = io.StringIO()\ns.write('ok')\nv = s.getvalue()")
        .unwrap();
    assert_eq!(vm.get_global::<String>("v").unwrap(), "ok");
    vm.exec("import statistics\nm = statistics.median([3, 1, 2])")
        .unwrap();
    assert_eq!(vm.get_global::<i64>("m").unwrap(), 2);

    // Allowed: `open` reads this crate's manifest (tests run in the crate folder), and `io`
    // is importable even when not chosen.
    let mut vm = VmBuilder::new().module("os").allow_filesystem(true).build();
    vm.exec("with open('Cargo.toml') as f:\n    first = f.readline()")
        .unwrap();
    assert_eq!(vm.get_global::<String>("first").unwrap(), "[package]\n");
    vm.exec("import os\nthere = os.path.isfile('Cargo.toml')")
        .unwrap();
    assert!(vm.get_global::<bool>("there").unwrap());
    assert_eq!(
        last_line(vm.exec("open('no-such-file')").unwrap_err()),
        "FileNotFoundError: [Errno 2] No such file or directory: 'no-such-file'"
    );
}

#[test]
fn argparse_works_without_the_filesystem() {
    // Help is formatted at the fallback width (80 columns less 2) since `shutil` is refused.
    let mut vm = VmBuilder::new().with_stdlib().build();
    let src = "import argparse\n\
               p = argparse.ArgumentParser(prog='tool')\n\
               p.add_argument('--n', type=int, help='word ' * 30)\n\
               n = p.parse_args(['--n', '4']).n\n\
               width = max(len(line) for line in p.format_help().splitlines())\n\
               prog = argparse.ArgumentParser().prog\n";
    vm.exec(src).unwrap();
    assert_eq!(vm.get_global::<i64>("n").unwrap(), 4);
    assert_eq!(vm.get_global::<i64>("width").unwrap(), 78);
    assert_eq!(vm.get_global::<String>("prog").unwrap(), "");
}

#[test]
fn a_package_brings_its_submodules_and_a_submodule_its_package() {
    // `os` imports `os.path`: choosing `os` alone must be enough.
    let mut vm = VmBuilder::new().module("os").allow_filesystem(true).build();
    vm.exec("import os\np = os.path.join('a', 'b')\nimport os.path as q\nsame = q is os.path")
        .unwrap();
    assert_eq!(vm.get_global::<String>("p").unwrap(), "a/b");
    assert!(vm.get_global::<bool>("same").unwrap());
    // `import os.path` runs `os` first, so choosing the submodule brings the package.
    let mut vm = VmBuilder::new()
        .module("os.path")
        .allow_filesystem(true)
        .build();
    vm.exec("import os.path\nb = os.path.basename('/x/y.txt')\nimport os\nc = os.getcwd() != ''")
        .unwrap();
    assert_eq!(vm.get_global::<String>("b").unwrap(), "y.txt");
    assert!(vm.get_global::<bool>("c").unwrap());
    // `collections.abc` comes with `collections`.
    let mut vm = VmBuilder::new()
        .module("collections")
        .module("abc")
        .module("types")
        .module("operator")
        .module("heapq")
        .module("itertools")
        .build();
    vm.exec("import collections\nfrom collections.abc import Mapping\nm = isinstance({}, Mapping)")
        .unwrap();
    assert!(vm.get_global::<bool>("m").unwrap());
    // Removing a package removes its submodules.
    let mut vm = VmBuilder::new()
        .with_stdlib()
        .without("os")
        .allow_filesystem(true)
        .build();
    assert_eq!(
        last_line(vm.exec("import os.path").unwrap_err()),
        "ModuleNotFoundError: No module named 'os'"
    );
    // Removing only the submodule a package imports breaks the package, as in CPython.
    let mut vm = VmBuilder::new()
        .module("os")
        .without("os.path")
        .allow_filesystem(true)
        .build();
    assert_eq!(
        last_line(vm.exec("import os").unwrap_err()),
        "ModuleNotFoundError: No module named 'os.path'; 'os' is not a package"
    );
    // The file-system rule still applies to the submodules a package brings.
    let mut vm = VmBuilder::new().module("os").build();
    assert_eq!(
        last_line(vm.exec("import os.path").unwrap_err()),
        "ModuleNotFoundError: No module named 'os'"
    );
}

#[test]
fn builder_limits_apply_to_asyncio_code() {
    let mut vm = VmBuilder::new()
        .with_stdlib()
        .limits(Limits {
            steps: Some(50_000),
            ..Limits::default()
        })
        .build();
    let src = "import asyncio\n\
               async def spin():\n    while True:\n        await asyncio.sleep(0)\n\
               asyncio.run(spin())\n";
    let e = vm.exec(src).unwrap_err();
    assert!(matches!(e, Error::Limit(LimitExceeded::Steps)), "{e:?}");
    vm.exec("import math\ny = math.gcd(12, 18)").unwrap();
    assert_eq!(vm.get_global::<i64>("y").unwrap(), 6);
}

/// `HostLoop`: the host owns the loop; `run_for` never blocks and says when work is next due.
#[test]
fn a_host_steps_the_asyncio_loop_and_reads_task_results() {
    use aio_stdlib::asyncio::HostLoop;
    use std::time::Duration;
    let mut vm = aio_stdlib::VmBuilder::new().with_stdlib().build();
    vm.exec(
        "import asyncio\n\
         async def nap():\n\
         \x20   await asyncio.sleep(0.05)\n\
         \x20   return 7\n\
         async def boom():\n\
         \x20   raise ValueError('bad')\n",
    )
    .unwrap();
    let lp = HostLoop::new(&mut vm).unwrap();
    let coro = vm.call_function("nap", ()).unwrap();
    let nap = lp.spawn(&mut vm, coro).unwrap();
    let coro = vm.call_function("boom", ()).unwrap();
    let boom = lp.spawn(&mut vm, coro).unwrap();
    let next = lp.run_for(&mut vm, Duration::ZERO).unwrap();
    let wait = next.expect("a timer is pending");
    assert!(
        wait > Duration::ZERO && wait <= Duration::from_millis(50),
        "{wait:?}"
    );
    assert_eq!(lp.result::<i64>(&mut vm, &nap).unwrap(), None);
    let err = lp.result::<i64>(&mut vm, &boom).unwrap_err().to_string();
    assert!(err.ends_with("ValueError: bad"), "{err}");
    std::thread::sleep(wait);
    assert_eq!(lp.run_for(&mut vm, Duration::from_millis(5)).unwrap(), None);
    assert_eq!(lp.result::<i64>(&mut vm, &nap).unwrap(), Some(7));
    // The same VM runs a second loop afterwards, to completion this time.
    lp.close(&mut vm).unwrap();
    let lp = HostLoop::new(&mut vm).unwrap();
    let coro = vm.call_function("nap", ()).unwrap();
    assert_eq!(lp.run_until_complete::<i64>(&mut vm, coro).unwrap(), 7);
    lp.close(&mut vm).unwrap();
}

/// A limit that fires inside `asyncio.run` leaves asyncio usable for the next run.
#[test]
fn asyncio_runs_again_after_a_limit_stopped_a_loop() {
    use aio_vm::{Error, LimitExceeded, Limits};
    let mut vm = aio_stdlib::VmBuilder::new().with_stdlib().build();
    vm.set_limits(Limits {
        steps: Some(20_000),
        ..Limits::default()
    });
    let e = vm
        .exec(
            "import asyncio\n\
             async def spin():\n\
             \x20   while True:\n\
             \x20       await asyncio.sleep(0)\n\
             asyncio.run(spin())\n",
        )
        .unwrap_err();
    assert!(matches!(e, Error::Limit(LimitExceeded::Steps)), "{e:?}");
    vm.exec(
        "async def ok():\n\
         \x20   await asyncio.sleep(0)\n\
         \x20   return 5\n\
         r = asyncio.run(ok())\n",
    )
    .unwrap();
    assert_eq!(vm.get_global::<i64>("r").unwrap(), 5);
}

/// A script that waits — `time.sleep`, or an event loop with nothing to do but a far timer —
/// is stopped by the time limit and by an interrupt from another thread when they happen,
/// not when the wait would have ended; the VM runs the next script afterwards.
#[test]
fn waits_end_at_the_time_limit_and_at_an_interrupt() {
    use std::time::{Duration, Instant};
    let waits = [
        "import time\ntime.sleep(600)\n",
        "import asyncio\nasyncio.run(asyncio.sleep(600))\n",
    ];
    for src in waits {
        let mut vm = VmBuilder::new().with_stdlib().build();
        vm.set_limits(Limits {
            time: Some(Duration::from_millis(200)),
            ..Limits::default()
        });
        let start = Instant::now();
        let e = vm.exec(src).unwrap_err();
        assert!(
            matches!(e, Error::Limit(LimitExceeded::Time)),
            "{src}: {e:?}"
        );
        assert!(start.elapsed() < Duration::from_secs(10), "{src}");
        vm.set_limits(Limits::default());
        vm.exec("import math\ny = math.gcd(12, 18)").unwrap();
        assert_eq!(vm.get_global::<i64>("y").unwrap(), 6);

        let mut vm = VmBuilder::new().with_stdlib().build();
        let handle = vm.interrupt_handle();
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(200));
            handle.interrupt();
        });
        let start = Instant::now();
        let e = vm.exec(src).unwrap_err();
        t.join().unwrap();
        assert!(
            matches!(e, Error::Limit(LimitExceeded::Interrupted)),
            "{src}: {e:?}"
        );
        assert!(start.elapsed() < Duration::from_secs(10), "{src}");
        vm.exec("import math\ny = math.gcd(12, 18)").unwrap();
        assert_eq!(vm.get_global::<i64>("y").unwrap(), 6);
    }
}
