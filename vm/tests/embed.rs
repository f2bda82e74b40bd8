//! The embedding API: conversions, typed closures, calls into scripts, globals, errors,
//! limits and interrupts. CPython messages quoted here were taken from `python3` 3.11
//! (`add() takes 2 positional arguments but 3 were given`, `maximum recursion depth exceeded`).

use aio_vm::{Error, FromValue, LimitExceeded, Limits, ToValue, Value, Vm};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::time::{Duration, Instant};

fn exc_text(e: Error) -> String {
    match e {
        Error::Exception(s) => s.trim_end().to_string(),
        other => panic!("expected an exception, got {other:?}"),
    }
}

fn last_line(e: Error) -> String {
    exc_text(e).lines().last().unwrap_or_default().to_string()
}

#[test]
fn conversions_round_trip() {
    let mut vm = Vm::new();
    fn rt<T: ToValue + FromValue + Clone + PartialEq + std::fmt::Debug>(vm: &mut Vm, x: T) {
        let v = x.clone().to_value(vm);
        assert_eq!(T::from_value(vm, &v).ok(), Some(x));
    }
    rt(&mut vm, 42i64);
    rt(&mut vm, -7i32);
    rt(&mut vm, 7u32);
    rt(&mut vm, 9usize);
    rt(&mut vm, 2.5f64);
    rt(&mut vm, true);
    rt(&mut vm, "héllo".to_string());
    rt(&mut vm, ());
    rt(&mut vm, Some(3i64));
    rt(&mut vm, None::<i64>);
    rt(&mut vm, vec![1i64, 2, 3]);
    rt(&mut vm, (1i64,));
    rt(&mut vm, (1i64, "a".to_string()));
    rt(&mut vm, (1i64, 2.0f64, true));
    rt(&mut vm, (1i64, 2.0f64, true, vec!["x".to_string()]));
    let m: HashMap<String, Vec<i64>> = [("a".to_string(), vec![1]), ("b".to_string(), vec![])]
        .into_iter()
        .collect();
    rt(&mut vm, m);
}

#[test]
fn conversions_from_script_values() {
    let mut vm = Vm::new();
    vm.exec("t = (1, 'two', 3.0)\nl = [True, False]\nd = {'k': [1, 2]}\nbig = 2**70\nf = 3\nn = None\ns = 'x'").unwrap();
    assert_eq!(
        vm.get_global::<(i64, String, f64)>("t").unwrap(),
        (1, "two".to_string(), 3.0)
    );
    assert_eq!(vm.get_global::<Vec<bool>>("l").unwrap(), vec![true, false]);
    assert_eq!(
        vm.get_global::<HashMap<String, Vec<i64>>>("d").unwrap()["k"],
        vec![1, 2]
    );
    // Ints convert to floats, as CPython's PyFloat_AsDouble does.
    assert_eq!(vm.get_global::<f64>("f").unwrap(), 3.0);
    assert_eq!(vm.get_global::<Option<i64>>("n").unwrap(), None);
    assert_eq!(
        vm.get_global::<Value>("s")
            .unwrap()
            .as_str()
            .unwrap()
            .as_str(),
        "x"
    );
    assert_eq!(
        last_line(vm.get_global::<i64>("s").unwrap_err()),
        "TypeError: expected int, got str"
    );
    assert_eq!(
        last_line(vm.get_global::<i64>("big").unwrap_err()),
        "OverflowError: Python int too large to convert to C long"
    );
    assert_eq!(
        last_line(vm.get_global::<i32>("big").unwrap_err()),
        "OverflowError: Python int too large to convert to C int"
    );
    assert_eq!(
        last_line(vm.get_global::<Vec<i64>>("s").unwrap_err()),
        "TypeError: expected list[int], got str"
    );
    assert_eq!(
        last_line(vm.get_global::<i64>("missing").unwrap_err()),
        "NameError: name 'missing' is not defined"
    );
}

#[test]
fn typed_closures_and_their_errors() {
    let mut vm = Vm::new();
    vm.register_fn("add", |a: i64, b: i64| a + b);
    vm.register_fn("greet", |name: String, times: Option<usize>| {
        name.repeat(times.unwrap_or(1))
    });
    let calls = Rc::new(RefCell::new(Vec::<i64>::new()));
    let seen = calls.clone();
    vm.register_fn("record", move |x: i64| seen.borrow_mut().push(x));
    vm.register_fn("fail", |x: i64| -> Result<i64, aio_vm::Obj> { Ok(x) });
    vm.exec("r = add(2, 3)\ng = greet('ab', 2)\nrecord(r)\nrecord(add(True, 1))")
        .unwrap();
    assert_eq!(vm.get_global::<i64>("r").unwrap(), 5);
    assert_eq!(vm.get_global::<String>("g").unwrap(), "abab");
    assert_eq!(*calls.borrow(), vec![5, 2]);
    let cases = [
        (
            "add(1, 2, 3)",
            "TypeError: add() takes 2 positional arguments but 3 were given",
        ),
        (
            "add(1)",
            "TypeError: add() takes 2 positional arguments but 1 was given",
        ),
        (
            "record()",
            "TypeError: record() takes 1 positional argument but 0 were given",
        ),
        ("add(1, b=2)", "TypeError: add() takes no keyword arguments"),
        (
            "add(1, 'x')",
            "TypeError: add() argument 2 must be int, not str",
        ),
        (
            "greet('a', 'b')",
            "TypeError: greet() argument 2 must be int | None, not str",
        ),
        (
            "add(2**70, 1)",
            "OverflowError: Python int too large to convert to C long",
        ),
    ];
    for (src, want) in cases {
        assert_eq!(last_line(vm.exec(src).unwrap_err()), want, "{src}");
    }
    // The error is catchable by scripts like any TypeError.
    vm.exec("try:\n    add('a', 1)\nexcept TypeError as e:\n    msg = str(e)")
        .unwrap();
    assert_eq!(
        vm.get_global::<String>("msg").unwrap(),
        "add() argument 1 must be int, not str"
    );
}

#[test]
fn calling_script_functions_and_globals() {
    let mut vm = Vm::new();
    vm.set_global("base", 100i64);
    vm.set_global("names", vec!["a", "b"]);
    vm.exec("def f(x, y):\n    return base + x * y\ndef join():\n    return '-'.join(names)\n")
        .unwrap();
    assert_eq!(vm.call_function::<i64>("f", (2, 3)).unwrap(), 106);
    assert_eq!(vm.call_function::<String>("join", ()).unwrap(), "a-b");
    // Result conversion errors are TypeErrors.
    assert_eq!(
        last_line(vm.call_function::<String>("f", (1, 1)).unwrap_err()),
        "TypeError: expected str, got int"
    );
    // Builtins are callable too, and definitions persist across exec calls.
    vm.exec("counter = 0\ndef bump():\n    global counter\n    counter += 1\n    return counter")
        .unwrap();
    vm.call_function::<i64>("bump", ()).unwrap();
    assert_eq!(vm.call_function::<i64>("bump", ()).unwrap(), 2);
    assert_eq!(vm.get_global::<i64>("counter").unwrap(), 2);
}

#[test]
fn errors_carry_the_traceback() {
    let mut vm = Vm::new();
    vm.exec("def inner(x):\n    return 1 / x\n\ndef outer(x):\n    return inner(x)\n")
        .unwrap();
    let e = vm.call_function::<f64>("outer", (0,)).unwrap_err();
    let shown = e.to_string();
    assert!(
        shown.starts_with("Traceback (most recent call last):"),
        "{shown}"
    );
    assert!(shown.contains("line 5, in outer"), "{shown}");
    assert!(shown.contains("line 2, in inner"), "{shown}");
    assert!(
        shown.ends_with("ZeroDivisionError: division by zero"),
        "{shown}"
    );
    // Syntax errors.
    let e = vm.exec("def (").unwrap_err();
    assert!(matches!(e, Error::Syntax(_)));
    assert!(e.to_string().contains("SyntaxError"), "{e}");
}

#[test]
fn host_types() {
    struct Account {
        balance: i64,
    }
    let mut vm = Vm::new();
    let cls = vm
        .register_type::<Account>("Account")
        .constructor(|vm, a| {
            let start = match a.get(0) {
                Some(v) => i64::from_value(vm, v)?,
                None => 0,
            };
            Ok(Account { balance: start })
        })
        .method("deposit", |vm, this, a| {
            let x = i64::from_value(vm, &a.pos[0])?;
            this.balance += x;
            Ok(Value::Int(this.balance))
        })
        .finish();
    vm.exec("a = Account(10)\na.deposit(5)\nb = a.deposit(1)\nok = isinstance(a, Account)")
        .unwrap();
    assert_eq!(vm.get_global::<i64>("b").unwrap(), 16);
    assert!(vm.get_global::<bool>("ok").unwrap());
    let inst = vm.new_host_instance(&cls, Account { balance: 1 });
    vm.set_global("h", inst);
    vm.exec("h.deposit(41)").unwrap();
    let h: Value = vm.get_global("h").unwrap();
    assert_eq!(vm.with_host(&h, |a: &mut Account| a.balance), Some(42));
}

#[test]
fn step_limit_stops_an_infinite_loop_then_the_vm_is_reused() {
    let mut vm = Vm::new();
    vm.set_limits(Limits {
        steps: Some(100_000),
        ..Limits::default()
    });
    let e = vm.exec("while True:\n    pass\n").unwrap_err();
    assert!(matches!(e, Error::Limit(LimitExceeded::Steps)), "{e:?}");
    // Scripts cannot swallow it, not even with a bare except or in a finally.
    let src = "caught = False\ntry:\n    while True:\n        pass\nexcept BaseException:\n    caught = True\n    while True:\n        pass\n";
    let e = vm.exec(src).unwrap_err();
    assert!(matches!(e, Error::Limit(LimitExceeded::Steps)), "{e:?}");
    assert!(!vm.get_global::<bool>("caught").unwrap());
    // Recursion without loops counts too.
    let e = vm
        .exec("def f(n):\n    if n:\n        f(n - 1)\n        f(n - 1)\nf(40)\n")
        .unwrap_err();
    assert!(matches!(e, Error::Limit(LimitExceeded::Steps)), "{e:?}");
    // Each run has a fresh budget.
    vm.exec("total = 0\nfor i in range(1000):\n    total += i\n")
        .unwrap();
    assert_eq!(vm.get_global::<i64>("total").unwrap(), 499_500);
    assert!(vm.steps_used() >= 1000);
    vm.call_function::<()>("f", (3,)).unwrap();
}

#[test]
fn memory_limit_stops_a_memory_bomb_then_the_vm_is_reused() {
    let mut vm = Vm::new();
    vm.set_limits(Limits {
        memory: Some(16 << 20),
        ..Limits::default()
    });
    let e = vm
        .exec("x = []\nwhile True:\n    x.append([0] * 1000)\n")
        .unwrap_err();
    assert!(matches!(e, Error::Limit(LimitExceeded::Memory)), "{e:?}");
    // The garbage goes away with the namespace entry; the VM runs the next script.
    vm.exec("x = None\ny = [i for i in range(10000)]").unwrap();
    assert_eq!(vm.get_global::<Vec<i64>>("y").unwrap().len(), 10_000);
    let (bytes, _) = vm.heap_estimate();
    assert!(bytes < 16 << 20, "{bytes}");
    // A list grown in place is seen too.
    let e = vm
        .exec("z = []\nwhile True:\n    z.append(1)\n")
        .unwrap_err();
    assert!(matches!(e, Error::Limit(LimitExceeded::Memory)), "{e:?}");
    vm.exec("z = None").unwrap();
    // One huge allocation is refused before it is made, even inside `try`.
    for bomb in [
        "[0] * 10**9",
        "'ab' * 10**9",
        "bytes(10**10)",
        "bytearray(10**10)",
    ] {
        let e = vm
            .exec(&format!(
                "try:\n    big = {bomb}\nexcept BaseException:\n    pass\n"
            ))
            .unwrap_err();
        assert!(
            matches!(e, Error::Limit(LimitExceeded::Memory)),
            "{bomb}: {e:?}"
        );
    }
    // Below the limit, the same operations work.
    vm.exec("small = [0] * 1000 + list(bytes(10))").unwrap();
    assert_eq!(vm.get_global::<Vec<i64>>("small").unwrap().len(), 1010);
}

/// Strings and bytes count wherever they are held — in a local, in tuples the collector
/// does not watch — and a string that doubles at each step is stopped before the process
/// runs out of memory.
#[test]
fn memory_limit_counts_strings_and_bytes_wherever_they_are() {
    let mut vm = Vm::new();
    vm.set_limits(Limits {
        memory: Some(32 << 20),
        ..Limits::default()
    });
    for bomb in [
        "def f():\n    s = 'x'\n    while True:\n        s += s\nf()\n",
        "def f():\n    s = 'x'\n    while True:\n        s = f'{s}{s}'\nf()\n",
        "def f():\n    s = 'x'\n    while True:\n        s = ''.join([s, s])\nf()\n",
        "t = ()\nwhile True:\n    t = (t, 'y' * 100_000)\n",
        "t = ()\nwhile True:\n    t = (t, bytes(100_000))\n",
    ] {
        let e = vm.exec(bomb).unwrap_err();
        assert!(
            matches!(e, Error::Limit(LimitExceeded::Memory)),
            "{bomb}: {e:?}"
        );
        vm.exec("t = None").unwrap();
        assert!(aio_vm::embed::limits::buffer_bytes() < 1 << 20);
    }
    // Strings below the limit are fine, and freed ones are uncounted.
    vm.exec("s = 'z' * 1_000_000\nn = len(s + s)\ns = None")
        .unwrap();
    assert_eq!(vm.get_global::<i64>("n").unwrap(), 2_000_000);
    assert!(aio_vm::embed::limits::buffer_bytes() < 1 << 20);
}

#[test]
fn time_limit() {
    let mut vm = Vm::new();
    vm.set_limits(Limits {
        time: Some(Duration::from_millis(100)),
        ..Limits::default()
    });
    let t = Instant::now();
    let e = vm.exec("while True:\n    pass\n").unwrap_err();
    assert!(matches!(e, Error::Limit(LimitExceeded::Time)), "{e:?}");
    assert!(t.elapsed() < Duration::from_secs(5));
    vm.exec("ok = 1").unwrap();
    assert_eq!(vm.get_global::<i64>("ok").unwrap(), 1);
}

#[test]
fn interrupt_from_another_thread() {
    let mut vm = Vm::new();
    let handle = vm.interrupt_handle();
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        handle.interrupt();
    });
    let e = vm
        .exec("try:\n    while True:\n        pass\nexcept BaseException:\n    pass\nwhile True:\n    pass\n")
        .unwrap_err();
    t.join().unwrap();
    assert!(
        matches!(e, Error::Limit(LimitExceeded::Interrupted)),
        "{e:?}"
    );
    assert_eq!(e.to_string(), "interrupted by the host");
    vm.exec("after = 2").unwrap();
    assert_eq!(vm.get_global::<i64>("after").unwrap(), 2);
}

#[test]
fn deep_recursion_is_a_recursion_error() {
    let mut vm = Vm::new();
    vm.set_limits(Limits {
        recursion: Some(500),
        ..Limits::default()
    });
    vm.exec("def f(n):\n    return f(n + 1)\n").unwrap();
    let e = vm.call_function::<i64>("f", (0,)).unwrap_err();
    assert_eq!(
        last_line(e),
        "RecursionError: maximum recursion depth exceeded"
    );
    // It is an ordinary exception: scripts catch it.
    vm.exec("try:\n    f(0)\nexcept RecursionError:\n    caught = True\n")
        .unwrap();
    assert!(vm.get_global::<bool>("caught").unwrap());
}
