//! Built-in methods called with arguments of the wrong count or type raise Python
//! exceptions; none reaches an internal error (a Rust panic). The sweep calls every
//! callable attribute of the built-in types and of sample instances with a dozen argument
//! lists (`fixtures/sweeps/builtin_calls.aio`).

use std::path::Path;
use std::process::Command;

#[test]
fn builtin_methods_with_wrong_arguments_raise_instead_of_panicking() {
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sweeps/builtin_calls.aio");
    let out = Command::new(env!("CARGO_BIN_EXE_aio"))
        .arg(&script)
        .output()
        .expect("aio runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("internal error"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let calls: usize = stdout
        .trim()
        .strip_prefix("calls ")
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(
        calls > 20_000,
        "the sweep made only {calls} calls: {stdout}"
    );
}
