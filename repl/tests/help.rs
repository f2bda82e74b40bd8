//! `help()` pages (the `pydoc`-like text `help(obj)` prints), as snapshots. Pages for
//! functions and classes written in aio match CPython's exactly and are checked against
//! CPython's output by the script corpus (`tests/scripts/builtins/help_pages.aio`); these
//! snapshots cover what has no exact CPython counterpart: the built-ins (documented from
//! CPython's docstrings, which aio's natives lack), modules, names, and `help()` itself.

use std::process::Command;

/// What `aio -c program` prints, run in `dir` (so `import` finds modules there); the
/// folder's path is shown as `<dir>`.
fn run(program: &str, dir: &std::path::Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_aio"))
        .args(["-c", program])
        .current_dir(dir)
        .output()
        .expect("aio runs");
    assert!(
        out.status.success(),
        "{program}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).replace(&dir.to_string_lossy().into_owned(), "<dir>")
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("aio-help-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn builtin_functions_and_methods() {
    let dir = temp_dir("builtins");
    insta::assert_snapshot!(run(
        "help(len)\nhelp(print)\nhelp(sorted)\nhelp([].append)\nhelp(str.split)\nhelp(dict.get)",
        &dir
    ));
}

#[test]
fn a_module_and_its_members() {
    let dir = temp_dir("module");
    std::fs::write(
        dir.join("geometry.aio"),
        "\"\"\"Plane geometry.\n\nShapes and their areas.\n\"\"\"\n\nUNIT = 1.0\n\n\
         class Circle:\n    \"\"\"A circle.\"\"\"\n    def __init__(self, r):\n        self.r = r\n\
         \x20   def area(self):\n        \"\"\"The area.\"\"\"\n        return 3.14 * self.r ** 2\n\n\
         def area(shape) -> float:\n    \"\"\"The area of any shape.\"\"\"\n    return shape.area()\n\n\
         def _helper():\n    pass\n",
    )
    .unwrap();
    insta::assert_snapshot!(run("import geometry\nhelp(geometry)", &dir));
}

#[test]
fn names_instances_and_no_argument() {
    let dir = temp_dir("names");
    insta::assert_snapshot!(run(
        "help('len')\nhelp('math.floor')\nhelp('no_such_thing')\nhelp()\nhelp(help)",
        &dir
    ));
}
