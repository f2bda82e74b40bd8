//! The global allocator: mimalloc. The front end and the VM allocate many small objects,
//! where it is markedly faster than the system allocator.
//!
//! The `mimalloc` crate's allocator calls `mi_malloc_aligned` for every layout; mimalloc 3
//! serves that from its fast path only when a free block of the size happens to be at
//! hand, and otherwise over-allocates (a third of the allocator's time on string-heavy
//! programs, by callgrind). Layouts that `mi_malloc` aligns anyway (alignment at most 16
//! and at most the size, as the `mimalloc` crate itself used to decide) go to `mi_malloc`.

use libmimalloc_sys as ffi;
use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

/// The alignment every `mi_malloc` block of at least that size has (`MI_MAX_ALIGN_SIZE`).
const MIN_ALIGN: usize = 16;

/// mimalloc, through its unaligned entry points where they suffice.
pub struct MiMalloc;

/// Whether `mi_malloc(size)` already returns memory aligned for a layout of `align`.
#[inline]
fn plain(align: usize, size: usize) -> bool {
    align <= MIN_ALIGN && align <= size
}

// SAFETY: every block comes from mimalloc and goes back to `mi_free`/`mi_realloc*`, which
// accept blocks from any of its allocation functions; `plain` layouts get blocks mimalloc
// aligns to at least `align` (sizes of `align` or more are aligned to min(16, size)).
unsafe impl GlobalAlloc for MiMalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if plain(layout.align(), layout.size()) {
            ffi::mi_malloc(layout.size()) as *mut u8
        } else {
            ffi::mi_malloc_aligned(layout.size(), layout.align()) as *mut u8
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if plain(layout.align(), layout.size()) {
            ffi::mi_zalloc(layout.size()) as *mut u8
        } else {
            ffi::mi_zalloc_aligned(layout.size(), layout.align()) as *mut u8
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        ffi::mi_free(ptr as *mut c_void);
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if plain(layout.align(), new_size) {
            ffi::mi_realloc(ptr as *mut c_void, new_size) as *mut u8
        } else {
            ffi::mi_realloc_aligned(ptr as *mut c_void, new_size, layout.align()) as *mut u8
        }
    }
}

/// Turns transparent huge pages off for the process, as CPython's allocator never asks for
/// them. mimalloc madvises its arenas for THP, so each first touch of a 2 MiB region
/// faulted in and zeroed a whole huge page: on this machine a run of `stdlib_heap_random`
/// spent 0.0-0.6 s of system time that way, varying with how fragmented the host's memory
/// was, against 0.01-0.02 s with 4 KiB pages (10,000 small faults instead of 300 huge
/// ones). The kernel flag covers every mapping, including the arena mimalloc reserved
/// before `main`.
pub fn no_huge_pages() {
    // SAFETY: `prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0)` only sets a flag on this process's
    // memory map.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every layout gets memory aligned as asked, zeroed when asked, and keeps its bytes
    /// through a reallocation, whichever entry point serves it.
    #[test]
    fn layouts_are_honoured() {
        let a = MiMalloc;
        for align in [1usize, 2, 4, 8, 16, 32, 64, 4096] {
            for size in [1usize, 3, 8, 15, 16, 24, 100, 1000, 5000, 70_000] {
                let layout = Layout::from_size_align(size, align).unwrap();
                unsafe {
                    let p = a.alloc_zeroed(layout);
                    assert!(!p.is_null());
                    assert_eq!(p as usize % align, 0, "size {size} align {align}");
                    assert!((0..size).all(|i| *p.add(i) == 0));
                    for i in 0..size {
                        *p.add(i) = (i % 251) as u8;
                    }
                    let q = a.realloc(p, layout, size * 3);
                    assert_eq!(q as usize % align, 0);
                    assert!((0..size).all(|i| *q.add(i) == (i % 251) as u8));
                    a.dealloc(q, Layout::from_size_align(size * 3, align).unwrap());
                    let r = a.alloc(layout);
                    assert_eq!(r as usize % align, 0);
                    a.dealloc(r, layout);
                }
            }
        }
    }
}
