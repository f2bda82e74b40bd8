//! Freezes the standard library's modules written in aio: compiles every `.aio` file under
//! `src/` with this build's compiler and writes the code to `$OUT_DIR/frozen.bin`, which
//! `install` hands to the VM (`Vm::set_frozen`). Importing such a module then loads its
//! code instead of parsing it; a file the table lacks is compiled as before.

use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let src = root.join("src");
    // A directory: cargo re-runs this script when any file under it changes (or is added).
    println!("cargo:rerun-if-changed=src");
    let mut files = Vec::new();
    collect(&src, &mut files);
    files.sort();
    let mut vm = aio_vm::Vm::new();
    let mut texts = Vec::new();
    let vm_sources = aio_vm::frozen::VM_SOURCES
        .iter()
        .map(|t| (t.to_string(), "<vm>".into()));
    let files = files.iter().map(|f| {
        let text = std::fs::read_to_string(f).expect("readable source");
        (
            text,
            f.strip_prefix(&src).unwrap_or(f).display().to_string(),
        )
    });
    for (text, name) in vm_sources.chain(files) {
        match vm.compile_source(&text, &name, aio_vm::Mode::Exec) {
            Ok(code) => match aio_vm::marshal::dump(&code) {
                Ok(bytes) => texts.push((text, bytes)),
                Err(e) => println!("cargo:warning=not frozen: {name}: {}", e.0),
            },
            // Left to fail where it is imported, with the usual report.
            Err(e) => println!("cargo:warning=not frozen: {name}: {}", e.message),
        }
    }
    let blob = aio_vm::frozen::build(texts.iter().map(|(t, b)| (t.as_str(), b.clone())));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo"));
    std::fs::write(out.join("frozen.bin"), blob).expect("writable OUT_DIR");
}

/// Every `.aio` file under `dir`.
fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("readable source folder")
        .map(|e| e.expect("readable entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|e| e == "aio") {
            out.push(p);
        }
    }
}
