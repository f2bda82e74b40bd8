//! Native async functions a host gives scripts: work on other threads that scripts
//! `await` on asyncio's loop (X-14, X-15 for the loop side).

mod common;

use aio_stdlib::asyncio::threads::{self, SendError, SendValue};
use aio_vm::{Value, Vm};
use common::Sink;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

/// A VM with the standard library whose `print` goes to a buffer.
fn vm_with_output() -> (Vm, Rc<RefCell<Vec<u8>>>) {
    let mut vm = Vm::new();
    aio_stdlib::install(&mut vm);
    let out = Rc::new(RefCell::new(Vec::new()));
    vm.set_stdout(Box::new(Sink(out.clone())));
    (vm, out)
}

/// Runs `src` as `__main__` with `name` bound to `value` and returns what it printed.
fn run_with(
    vm: &mut Vm,
    out: &Rc<RefCell<Vec<u8>>>,
    name: &str,
    value: Value,
    src: &str,
) -> String {
    let main = vm.new_module("__main__");
    let g = vm.module_globals(&main).unwrap();
    vm.dict_set_str(&g, name, value);
    if let Err(e) = vm.exec_source_in(src, "host.aio", &g) {
        let e = vm.uncaught(e);
        panic!("script failed: {e}");
    }
    vm.flush_stdout();
    String::from_utf8(out.borrow().clone()).unwrap()
}

#[test]
fn scripts_gather_blocking_host_functions_that_run_on_worker_threads() {
    let (mut vm, out) = vm_with_output();
    // A simulated database query: each takes 200 ms on its own thread.
    let query = threads::blocking_fn(&mut vm, "query", |args| match args.as_slice() {
        [SendValue::Str(q)] => {
            std::thread::sleep(Duration::from_millis(200));
            Ok(SendValue::List(vec![
                SendValue::Str(q.to_uppercase()),
                SendValue::Int(q.len() as i64),
            ]))
        }
        _ => Err(SendError::new("TypeError", "query(sql) takes one str")),
    });
    let text = run_with(
        &mut vm,
        &out,
        "query",
        query,
        "import asyncio, time\n\
         async def main():\n\
         \x20   t0 = time.monotonic()\n\
         \x20   rows = await asyncio.gather(query('a'), query('bb'), query('ccc'))\n\
         \x20   print(rows, time.monotonic() - t0 < 0.5)\n\
         \x20   try:\n\
         \x20       await query(1)\n\
         \x20   except TypeError as e:\n\
         \x20       print('TypeError:', e)\n\
         \x20   print(await asyncio.to_thread(query, 'x'))\n\
         asyncio.run(main())\n",
    );
    assert_eq!(
        text,
        "[['A', 1], ['BB', 2], ['CCC', 3]] True\nTypeError: query(sql) takes one str\n['X', 1]\n"
    );
}

#[test]
fn a_host_thread_completes_a_future_through_the_loop_waker() {
    let (mut vm, out) = vm_with_output();
    // `later(ms, value)` returns a future a host thread completes after `ms`.
    let later = aio_vm::builtins::native_closure(
        &mut vm,
        "later",
        None,
        Rc::new(|vm: &mut Vm, a: aio_vm::native::Args<'_>| {
            let ms = match a.pos.first() {
                Some(Value::Int(ms)) => *ms as u64,
                _ => return Err(vm.new_type_error("later(ms, value)")),
            };
            let value = a
                .pos
                .get(1)
                .and_then(SendValue::from_value)
                .unwrap_or(SendValue::None);
            let (future, completer) = threads::new_future(vm)?;
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(ms));
                if ms == 13 {
                    drop(completer); // lost: the script must not hang
                } else {
                    completer.complete(Ok(value));
                }
            });
            Ok(future)
        }),
    );
    let text = run_with(
        &mut vm,
        &out,
        "later",
        later,
        "import asyncio\n\
         async def main():\n\
         \x20   print(await later(50, 'slow'), await asyncio.wait_for(later(1, (1, 2.5, None, b'x')), 5))\n\
         \x20   try:\n\
         \x20       await later(13, 0)\n\
         \x20   except RuntimeError as e:\n\
         \x20       print('RuntimeError:', e)\n\
         \x20   try:\n\
         \x20       await asyncio.wait_for(later(2000, 0), 0.05)\n\
         \x20   except TimeoutError:\n\
         \x20       print('timed out')\n\
         asyncio.run(main())\n\
         try:\n\
         \x20   later(1, 0)\n\
         except RuntimeError as e:\n\
         \x20   print('outside a loop:', e)\n",
    );
    assert_eq!(
        text,
        "slow (1, 2.5, None, b'x')\nRuntimeError: the host dropped the result of this future\ntimed out\noutside a loop: no running event loop\n"
    );
}

/// A Rust future that completes `ms` milliseconds after it is first polled (woken by a timer
/// thread), as host async code would.
struct Delay {
    ms: u64,
    state: std::sync::Arc<std::sync::Mutex<(bool, bool)>>, // (started, done)
}

impl std::future::Future for Delay {
    type Output = ();
    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        let mut st = self.state.lock().unwrap();
        if st.1 {
            return std::task::Poll::Ready(());
        }
        if !st.0 {
            st.0 = true;
            let (state, waker, ms) = (self.state.clone(), cx.waker().clone(), self.ms);
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(ms));
                state.lock().unwrap().1 = true;
                waker.wake();
            });
        }
        std::task::Poll::Pending
    }
}

#[test]
fn scripts_await_rust_futures_that_complete_out_of_order() {
    let (mut vm, out) = vm_with_output();
    let delay = threads::future_fn(&mut vm, "delay", |args| async move {
        let [SendValue::Int(ms), label] = args.as_slice() else {
            return Err(SendError::new("TypeError", "delay(ms, label)"));
        };
        Delay {
            ms: *ms as u64,
            state: Default::default(),
        }
        .await;
        Ok(label.clone())
    });
    let text = run_with(
        &mut vm,
        &out,
        "delay",
        delay,
        "import asyncio\n\
         async def main():\n\
         \x20   for aw in asyncio.as_completed([delay(300, 'slow'), delay(10, 'fast')]):\n\
         \x20       print(await aw)\n\
         \x20   try:\n\
         \x20       await delay('x')\n\
         \x20   except TypeError as e:\n\
         \x20       print('TypeError:', e)\n\
         asyncio.run(main())\n",
    );
    assert_eq!(text, "fast\nslow\nTypeError: delay(ms, label)\n");
}

/// Outside a running loop a native async function fails as CPython's C functions do: the
/// traceback shows the script's frames and CPython's message, never asyncio's own frames
/// (`_host_job`, `get_running_loop`).
#[test]
fn a_native_async_function_outside_a_loop_shows_only_script_frames() {
    let mut vm = aio_stdlib::VmBuilder::new().module("asyncio").build();
    vm.register_native("fetch", |vm, _a| {
        let (future, completer) = threads::new_future(vm)?;
        completer.complete(Ok(SendValue::None));
        Ok(future)
    });
    let lookup = threads::blocking_fn(&mut vm, "lookup", |_| Ok(SendValue::Int(1)));
    vm.set_global("lookup", lookup);
    let Err(aio_vm::Error::Exception(tb)) =
        vm.exec("import asyncio\ndef load():\n    return fetch()\nload()\n")
    else {
        panic!("fetch() outside a loop did not raise");
    };
    assert_eq!(
        tb,
        "Traceback (most recent call last):\n  \
         File \"<string>\", line 4, in <module>\n  \
         File \"<string>\", line 3, in load\n\
         RuntimeError: no running event loop\n"
    );
    let Err(aio_vm::Error::Exception(tb)) = vm.exec("lookup('k')") else {
        panic!("lookup() outside a loop did not raise");
    };
    assert_eq!(
        tb,
        "Traceback (most recent call last):\n  \
         File \"<string>\", line 1, in <module>\n\
         RuntimeError: no running event loop\n"
    );
    // Inside a loop the same functions work (the failed calls left nothing behind).
    vm.exec(
        "async def main():\n    await fetch()\n    return await lookup('k')\n\
         r = asyncio.run(main())\n",
    )
    .unwrap();
    assert_eq!(vm.get_global::<i64>("r").unwrap(), 1);
}

/// Threads are not made per call: 200 concurrent Rust futures are polled by the shared
/// executor's few threads, and 100 concurrent blocking calls reuse the pool's threads, at
/// most `min(32, cpus + 4)` of them named `asyncio_N`, as CPython's default executor.
#[test]
fn host_calls_share_a_bounded_set_of_threads() {
    use std::collections::HashSet;
    use std::sync::{Arc, Mutex};
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (mut vm, out) = vm_with_output();

    let seen = Arc::new(Mutex::new(HashSet::new()));
    let polled_on = seen.clone();
    let delay = threads::future_fn(&mut vm, "delay", move |args| {
        let polled_on = polled_on.clone();
        async move {
            polled_on
                .lock()
                .unwrap()
                .insert(std::thread::current().id());
            let [SendValue::Int(ms)] = args.as_slice() else {
                return Err(SendError::new("TypeError", "delay(ms)"));
            };
            Delay {
                ms: *ms as u64,
                state: Default::default(),
            }
            .await;
            Ok(SendValue::Int(*ms))
        }
    });
    let text = run_with(
        &mut vm,
        &out,
        "delay",
        delay,
        "import asyncio\n\
         async def main():\n\
         \x20   print(sum(await asyncio.gather(*(delay(20) for _ in range(200)))))\n\
         asyncio.run(main())\n",
    );
    assert_eq!(text, "4000\n");
    let futures_threads = seen.lock().unwrap().len();
    assert!(
        futures_threads <= cpus,
        "{futures_threads} threads polled the futures"
    );

    let (mut vm, out) = vm_with_output();
    let ran_on = Arc::new(Mutex::new(HashSet::new()));
    let names = ran_on.clone();
    let work = threads::blocking_fn(&mut vm, "work", move |_| {
        let name = std::thread::current().name().unwrap_or("").to_string();
        names.lock().unwrap().insert(name);
        std::thread::sleep(Duration::from_millis(10));
        Ok(SendValue::Int(1))
    });
    let text = run_with(
        &mut vm,
        &out,
        "work",
        work,
        "import asyncio\n\
         async def main():\n\
         \x20   print(sum(await asyncio.gather(*(asyncio.to_thread(work) for _ in range(100)))))\n\
         asyncio.run(main())\n",
    );
    assert_eq!(text, "100\n");
    let names = ran_on.lock().unwrap();
    assert!(names.len() <= (cpus + 4).min(32), "{names:?}");
    assert!(names.iter().all(|n| n.starts_with("asyncio_")), "{names:?}");
}
