//! Modules written in aio: their source files are embedded in the binary (`include_str!`)
//! and run, in order, in the fresh module's namespace when the module is first imported.

use aio_vm::{Obj, PyResult, Vm};

/// An embedded source file: the name tracebacks show, and the text.
pub type Source = (&'static str, &'static str);

/// Runs `sources` in order in the namespace of module `m` (each file may use the names the
/// files before it defined): how a host ships a module written in aio.
///
/// ```
/// use aio_stdlib::source::{self, Source};
/// use aio_vm::Vm;
///
/// const GEO: &[Source] = &[
///     ("geo/base.aio", "def sq(x):\n    return x * x\n"),
///     (
///         "geo/dist.aio",
///         "def dist(a, b):\n    return (sq(a[0] - b[0]) + sq(a[1] - b[1])) ** 0.5\n",
///     ),
/// ];
///
/// let mut vm = Vm::new();
/// vm.register_module("geo", |vm, m| source::run(vm, m, GEO));
/// vm.exec("import geo\nd = geo.dist((0, 0), (3, 4))")?;
/// assert_eq!(vm.get_global::<f64>("d")?, 5.0);
/// let err = vm.exec("geo.dist((0, 0), 'xy')").unwrap_err().to_string();
/// assert!(err.contains("File \"geo/dist.aio\", line 2, in dist"));
/// # Ok::<(), aio_vm::Error>(())
/// ```
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
