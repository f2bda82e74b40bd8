//! Calls per second across the host/script boundary, for aio, mlua (Lua 5.4) and rhai, in
//! one run: (1) the host calls a script function `add(a, b)`; (2) a script loop calls a
//! native `add(a, b)` registered by the host. Each figure is the best of 5 rounds of N calls;
//! (2) includes the script's own loop overhead (shown separately for a loop calling a script
//! function, so the native-call cost can be read off).

use std::time::Instant;

const N: i64 = 300_000;
const ROUNDS: usize = 5;

fn best(mut f: impl FnMut()) -> f64 {
    let mut best = f64::INFINITY;
    for _ in 0..ROUNDS {
        let t = Instant::now();
        f();
        best = best.min(t.elapsed().as_secs_f64());
    }
    N as f64 / best
}

fn aio() -> [f64; 3] {
    let mut vm = aio_vm::Vm::new();
    vm.register_fn("native_add", |a: i64, b: i64| a + b);
    vm.exec(&format!(
        "def add(a, b):\n    return a + b\n\
         def loop_native():\n    t = 0\n    for i in range({N}):\n        t = native_add(t, 1)\n    return t\n\
         def loop_script():\n    t = 0\n    for i in range({N}):\n        t = add(t, 1)\n    return t\n"
    ))
    .unwrap();
    let add: aio_vm::Value = vm.get_global("add").unwrap();
    let host_to_script = best(|| {
        let mut t = 0i64;
        for i in 0..N {
            t = vm.call_value::<i64>(&add, (t, i & 1)).unwrap();
        }
        assert!(t > 0);
    });
    let script_to_native =
        best(|| assert_eq!(vm.call_function::<i64>("loop_native", ()).unwrap(), N));
    let script_to_script =
        best(|| assert_eq!(vm.call_function::<i64>("loop_script", ()).unwrap(), N));
    [host_to_script, script_to_native, script_to_script]
}

fn lua() -> [f64; 3] {
    let lua = mlua::Lua::new();
    let native = lua
        .create_function(|_, (a, b): (i64, i64)| Ok(a + b))
        .unwrap();
    lua.globals().set("native_add", native).unwrap();
    lua.load(format!(
        "function add(a, b) return a + b end\n\
         function loop_native() local t = 0 for i = 1, {N} do t = native_add(t, 1) end return t end\n\
         function loop_script() local t = 0 for i = 1, {N} do t = add(t, 1) end return t end"
    ))
    .exec()
    .unwrap();
    let add: mlua::Function = lua.globals().get("add").unwrap();
    let host_to_script = best(|| {
        let mut t = 0i64;
        for i in 0..N {
            t = add.call::<i64>((t, i & 1)).unwrap();
        }
        assert!(t > 0);
    });
    let f: mlua::Function = lua.globals().get("loop_native").unwrap();
    let script_to_native = best(|| assert_eq!(f.call::<i64>(()).unwrap(), N));
    let f: mlua::Function = lua.globals().get("loop_script").unwrap();
    let script_to_script = best(|| assert_eq!(f.call::<i64>(()).unwrap(), N));
    [host_to_script, script_to_native, script_to_script]
}

fn rhai() -> [f64; 3] {
    let mut engine = rhai::Engine::new();
    engine.register_fn("native_add", |a: i64, b: i64| a + b);
    let ast = engine
        .compile(format!(
            "fn add(a, b) {{ a + b }}\n\
             fn loop_native() {{ let t = 0; for i in 0..{N} {{ t = native_add(t, 1); }} t }}\n\
             fn loop_script() {{ let t = 0; for i in 0..{N} {{ t = add(t, 1); }} t }}"
        ))
        .unwrap();
    let mut scope = rhai::Scope::new();
    let host_to_script = best(|| {
        let mut t = 0i64;
        for i in 0..N {
            t = engine
                .call_fn::<i64>(&mut scope, &ast, "add", (t, i & 1))
                .unwrap();
        }
        assert!(t > 0);
    });
    let script_to_native = best(|| {
        assert_eq!(
            engine
                .call_fn::<i64>(&mut scope, &ast, "loop_native", ())
                .unwrap(),
            N
        )
    });
    let script_to_script = best(|| {
        assert_eq!(
            engine
                .call_fn::<i64>(&mut scope, &ast, "loop_script", ())
                .unwrap(),
            N
        )
    });
    [host_to_script, script_to_native, script_to_script]
}

fn main() {
    println!("calls per second, millions (best of {ROUNDS} rounds of {N} calls; higher is better)");
    println!(
        "{:<10} {:>16} {:>18} {:>18}",
        "engine", "host -> script", "script -> native", "script -> script"
    );
    for (name, r) in [("aio", aio()), ("mlua 5.4", lua()), ("rhai", rhai())] {
        println!(
            "{:<10} {:>16.2} {:>18.2} {:>18.2}",
            name,
            r[0] / 1e6,
            r[1] / 1e6,
            r[2] / 1e6
        );
    }
}
