//! Runs the embedding examples of `examples/` (built by `cargo build --examples`).

#[path = "../../examples/host_module.rs"]
mod host_module;

#[path = "../../examples/game_loop.rs"]
mod game_loop;

#[path = "../../examples/async_db.rs"]
mod async_db;

#[path = "../../examples/sandbox.rs"]
mod sandbox;

#[test]
fn host_module_example() {
    assert_eq!(host_module::run(), ["10.0 2.5 9.81"]);
}

#[test]
fn game_loop_example() {
    assert_eq!(
        game_loop::run(),
        [
            "frame 1: x = 5",
            "frame 2: x = 10",
            "frame 3: overran its budget (step limit exceeded)",
            "frame 4: x = 20",
            "frame 5: x = 25",
        ]
    );
}

#[test]
fn sandbox_example() {
    assert_eq!(
        sandbox::run(),
        [
            "loop: step limit exceeded",
            "memory: memory limit exceeded",
            "swallow: step limit exceeded",
            "import: ModuleNotFoundError: No module named 'asyncio'",
            "ok: ok",
        ]
    );
}

#[test]
fn async_db_example() {
    assert_eq!(
        async_db::run(),
        [
            "ada: 7 orders",
            "bob: 14 orders",
            "cy: 21 orders",
            "concurrent: True",
            "refused: read-only connection",
        ]
    );
}

#[test]
fn game_loop_steps_an_asyncio_loop_each_frame() {
    assert_eq!(
        game_loop::run_cutscene(),
        [
            "frame 1",
            "gate opening",
            "hatch opening",
            "frame 2",
            "hatch open",
            "frame 3",
            "gate open",
            "cutscene over",
            "task result: played",
        ]
    );
}
