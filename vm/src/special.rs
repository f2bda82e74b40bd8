//! Calling a special method found on an object's class, as CPython's `lookup_maybe_method`
//! does for the language's own dunder calls (`len()`, operators, `with`, iteration).

use crate::value::Value;
use crate::vm::{PyResult, Vm};

impl Vm {
    /// Calls `f`, the raw class attribute found for a special method of `args[0]`, with
    /// `args` (the instance first). A function or native method gets the instance as its
    /// first argument; anything else is bound first as an attribute read would bind it (its
    /// `__get__(instance, type(instance))`, a `staticmethod`'s function) or, without
    /// `__get__`, called as it is, and then called with `args[1..]`: so a callable instance
    /// stored on the class (a `unittest.mock` child mock) is called without the instance.
    /// Built-in functions stored on a class (`__len__ = len`) still get the instance (see
    /// README).
    #[inline]
    pub(crate) fn call_slot(&mut self, f: &Value, args: &[Value]) -> PyResult {
        // Only a method descriptor takes the instance: a built-in function (`print`) or a
        // native bound to its own object (`gen.__next__`) kept in a class is called
        // without it, as CPython calls them.
        if !args.is_empty() && !crate::call::takes_instance(f) {
            return self.call_bound_slot(f, args);
        }
        self.call(f, args, &[])
    }

    #[cold]
    #[inline(never)]
    fn call_bound_slot(&mut self, f: &Value, args: &[Value]) -> PyResult {
        let obj = args[0].clone();
        let cls = self.class_of(&obj).clone();
        let bound = self.bind_descriptor(f.clone(), obj, &cls)?;
        self.call(&bound, &args[1..], &[])
    }
}
