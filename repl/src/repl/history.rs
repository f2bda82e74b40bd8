//! Where the REPL keeps its history between runs: `$AIO_HISTORY` if set (empty: no
//! history file), else `aio/history` in the user's data directory
//! (`$XDG_DATA_HOME/aio/history`, usually `~/.local/share/aio/history`).

use std::path::PathBuf;

/// The history file, if there is one.
pub fn path() -> Option<PathBuf> {
    match std::env::var_os("AIO_HISTORY") {
        Some(p) if p.is_empty() => None,
        Some(p) => Some(PathBuf::from(p)),
        None => dirs::data_dir().map(|d| d.join("aio").join("history")),
    }
}

/// Makes sure the history file's folder exists (so the first save succeeds).
pub fn prepare(path: &std::path::Path) {
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
}
