//! `memoryview.cast(format[, shape])`, as CPython's `memory_cast`: a C-contiguous view
//! re-read as items of another native format (one side must be a byte format), flat or
//! with a new shape, with CPython's checks in CPython's order.

use super::{item, live, new_view, MemoryView};
use crate::native::Args;
use crate::object::Payload;
use crate::value::Value;
use crate::vm::{PyResult, Vm};

/// CPython's `PyBUF_MAX_NDIM`.
const MAX_NDIM: usize = 64;

pub(super) fn mv_cast(vm: &mut Vm, a: Args) -> PyResult {
    let rest = Args {
        pos: &a.pos[1..],
        kw: a.kw,
    };
    let [format, shape] = rest.clinic(vm, "cast", 0, 1, ["format", "shape"])?;
    let format = format.expect("required");
    let Some(format) = format.as_str() else {
        return Err(vm.new_type_error(format!(
            "cast() argument 'format' must be str, not {}",
            vm.type_name(&format)
        )));
    };
    let src = live(vm, &a.pos[0])?.borrow().duplicate();
    if !src.is_contiguous(false) {
        return Err(vm.new_type_error("memoryview: casts are restricted to C-contiguous views"));
    }
    if (shape.is_some() || src.shape.len() != 1) && src.shape.contains(&0) {
        return Err(
            vm.new_type_error("memoryview: cannot cast view with zeros in shape or strides")
        );
    }
    let dims = match &shape {
        None => None,
        Some(sh) => {
            let dims = match sh.payload() {
                Some(Payload::Tuple(t)) => t.to_vec(),
                Some(Payload::List(l)) => l.borrow().clone(),
                _ => return Err(vm.new_type_error("shape must be a list or a tuple")),
            };
            if dims.len() > MAX_NDIM {
                return Err(
                    vm.new_value_error("memoryview: number of dimensions must not exceed 64")
                );
            }
            if src.shape.len() != 1 && dims.len() != 1 {
                return Err(vm.new_type_error("memoryview: cast must be 1D -> ND or ND -> 1D"));
            }
            Some(dims)
        }
    };
    let mut view = cast_to_1d(vm, src, format.as_str())?;
    if let Some(dims) = dims {
        cast_to_nd(vm, &mut view, &dims)?;
    }
    Ok(new_view(vm, view))
}

/// The view re-read as a flat run of `format` items (`cast_to_1D`).
fn cast_to_1d(vm: &mut Vm, src: MemoryView, format: &str) -> PyResult<MemoryView> {
    if let Some(c) = format.chars().position(|c| !c.is_ascii()) {
        let ch = format.chars().nth(c).unwrap_or_default();
        let msg = format!(
            "'ascii' codec can't encode character '\\x{:02x}' in position {c}: ordinal not in range(128)",
            ch as u32
        );
        return Err(vm.new_exception_msg(&vm.exc.unicode_encode_error.clone(), msg));
    }
    let Some(code) = item::native_code(format) else {
        return Err(vm.new_value_error(
            "memoryview: destination format must be a native single character format \
             prefixed with an optional '@'",
        ));
    };
    if !item::is_byte_format(src.code) && !item::is_byte_format(code) {
        return Err(vm.new_type_error("memoryview: cannot cast between two non-byte formats"));
    }
    let itemsize = item::itemsize(code).unwrap_or(1);
    let nbytes = src.nbytes();
    if nbytes % itemsize != 0 {
        return Err(vm.new_type_error("memoryview: length is not a multiple of itemsize"));
    }
    Ok(MemoryView {
        shape: vec![nbytes / itemsize],
        strides: vec![itemsize as isize],
        code,
        at: format.starts_with('@'),
        itemsize,
        ..src
    })
}

/// Gives a flat view the shape `dims` (`cast_to_ND`), C-contiguous.
fn cast_to_nd(vm: &mut Vm, view: &mut MemoryView, dims: &[Value]) -> PyResult<()> {
    let mut shape = Vec::with_capacity(dims.len());
    for d in dims {
        let Some(n) = crate::module::as_int(d) else {
            return Err(vm.new_type_error("memoryview.cast(): elements of shape must be integers"));
        };
        use num_traits::ToPrimitive;
        match n.to_i64() {
            Some(n) if n > 0 => shape.push(n as usize),
            _ => {
                return Err(
                    vm.new_value_error("memoryview.cast(): elements of shape must be integers > 0")
                )
            }
        }
    }
    let total = shape
        .iter()
        .try_fold(view.itemsize, |acc: usize, &n| acc.checked_mul(n));
    if total != Some(view.nbytes()) {
        return Err(vm.new_type_error("memoryview: product(shape) * itemsize != buffer size"));
    }
    let mut strides = vec![0isize; shape.len()];
    let mut stride = view.itemsize as isize;
    for d in (0..shape.len()).rev() {
        strides[d] = stride;
        stride *= shape[d] as isize;
    }
    view.shape = shape;
    view.strides = strides;
    Ok(())
}
