//! A host exposes a native async function — a simulated database query that completes on a
//! worker thread — and a script runs several at once with `asyncio.gather`. The queries
//! overlap: three 150 ms queries take about 150 ms, not 450 ms.
//!
//! Run: `cargo run -p aio-stdlib --example async_db`

use aio_stdlib::asyncio::threads::{self, SendError, SendValue};
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

const SCRIPT: &str = "\
import asyncio, time

async def user_report(uid):
    name, orders = await asyncio.gather(
        db.query(f'SELECT name FROM users WHERE id={uid}'),
        db.query(f'SELECT count(*) FROM orders WHERE user={uid}'),
    )
    return f'{name}: {orders} orders'

async def main():
    t0 = time.monotonic()
    reports = await asyncio.gather(*(user_report(uid) for uid in (1, 2, 3)))
    for r in reports:
        report(r)
    report(f'concurrent: {time.monotonic() - t0 < 0.4}')
    try:
        await db.query('DROP TABLE users')
    except PermissionError as e:
        report(f'refused: {e}')

asyncio.run(main())
";

/// The "database": answers after 150 ms on the worker thread that runs the query.
fn query(args: Vec<SendValue>) -> Result<SendValue, SendError> {
    let [SendValue::Str(sql)] = args.as_slice() else {
        return Err(SendError::new("TypeError", "query(sql) takes one str"));
    };
    std::thread::sleep(Duration::from_millis(150));
    if sql.starts_with("DROP") {
        return Err(SendError::new("PermissionError", "read-only connection"));
    }
    let uid: i64 = sql
        .rsplit('=')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    Ok(if sql.contains("name") {
        SendValue::Str(["ada", "bob", "cy"][(uid as usize - 1) % 3].into())
    } else {
        SendValue::Int(uid * 7)
    })
}

/// Runs the script; returns what it reported.
pub fn run() -> Vec<String> {
    let mut vm = aio_stdlib::VmBuilder::new().with_stdlib().build();
    let log = Rc::new(RefCell::new(Vec::new()));
    let sink = log.clone();
    vm.register_fn("report", move |s: String| {
        println!("{s}");
        sink.borrow_mut().push(s)
    });
    // A host "module" object: a namespace holding the native async function.
    let db = vm.new_module("db");
    let q = threads::blocking_fn(&mut vm, "query", query);
    let globals = vm.module_globals(&db).expect("a module has globals");
    vm.dict_set_str(&globals, "query", q);
    vm.set_global("db", aio_vm::Value::Obj(db));
    if let Err(e) = vm.exec(SCRIPT) {
        panic!("script failed:\n{e}");
    }
    let lines = log.borrow().clone();
    lines
}

#[allow(dead_code)] // the tests call `run`
fn main() {
    run();
}
