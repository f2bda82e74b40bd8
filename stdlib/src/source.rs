//! Modules written in aio: their source files are embedded in the binary (`include_str!`)
//! and run, in order, in the fresh module's namespace when the module is first imported.

use aio_vm::{Obj, PyResult, Vm};

/// An embedded source file: the name tracebacks show, and the text.
pub type Source = (&'static str, &'static str);

/// Runs `sources` in order in the namespace of module `m` (each file may use the names the
/// files before it defined).
pub fn run(vm: &mut Vm, m: &Obj, sources: &[Source]) -> PyResult<()> {
    let g = vm.module_globals(m).expect("a module has globals");
    for (file, text) in sources {
        vm.exec_source_in(text, file, &g)?;
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use aio_vm::Vm;

    /// Runs `src` with the standard library installed; panics when it raises.
    pub(crate) fn run(src: &str) {
        let mut vm = Vm::new();
        crate::install(&mut vm);
        if vm.run_source(src, "<test>", "__main__").is_err() {
            panic!("script failed: {src}");
        }
    }
}
