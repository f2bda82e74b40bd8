//! Substring search for `str` methods by `memchr::memmem` (SIMD-accelerated), on the UTF-8
//! bytes: a valid needle only matches at character boundaries of a valid haystack.

/// The byte offset of the first `needle` in `hay` (`Some(0)` for an empty needle).
#[inline]
pub(super) fn find(hay: &str, needle: &str) -> Option<usize> {
    memchr::memmem::find(hay.as_bytes(), needle.as_bytes())
}

/// The byte offset of the last `needle` in `hay` (`Some(hay.len())` for an empty needle).
#[inline]
pub(super) fn rfind(hay: &str, needle: &str) -> Option<usize> {
    memchr::memmem::rfind(hay.as_bytes(), needle.as_bytes())
}

/// The number of non-overlapping `needle`s (non-empty) in `hay`.
pub(super) fn count(hay: &str, needle: &str) -> usize {
    memchr::memmem::find_iter(hay.as_bytes(), needle.as_bytes()).count()
}
