//! Helpers shared by the integration tests.

use std::cell::RefCell;
use std::rc::Rc;

/// A `Write` that appends to a shared buffer: give it to `Vm::set_stdout` to read what a
/// script printed.
pub struct Sink(pub Rc<RefCell<Vec<u8>>>);

impl std::io::Write for Sink {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
