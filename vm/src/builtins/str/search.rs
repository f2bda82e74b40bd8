//! Substring search for `str` methods on the UTF-8 bytes: a valid needle only matches at
//! character boundaries of a valid haystack. Long haystacks go to `memchr::memmem`
//! (SIMD two-way search); a one-byte needle or a short haystack (a path, a format string,
//! a word) is scanned with `memchr` for the needle's first byte, since building a `memmem`
//! searcher costs more than such a whole search.

use memchr::{memchr, memmem, memrchr};

/// Haystacks shorter than this are searched without a `memmem` searcher.
const SHORT: usize = 64;

/// The byte offset of the first `needle` in `hay` (`Some(0)` for an empty needle).
#[inline]
pub(super) fn find(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    match n {
        [] => Some(0),
        [b] => memchr(*b, h),
        _ if n.len() > h.len() => None,
        [first, rest @ ..] if h.len() < SHORT => {
            let last_start = h.len() - n.len();
            let mut from = 0;
            while let Some(p) = memchr(*first, &h[from..=last_start]) {
                let at = from + p;
                if h[at + 1..at + n.len()] == *rest {
                    return Some(at);
                }
                from = at + 1;
            }
            None
        }
        _ => memmem::find(h, n),
    }
}

/// The byte offset of the last `needle` in `hay` (`Some(hay.len())` for an empty needle).
#[inline]
pub(super) fn rfind(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    match n {
        [] => Some(h.len()),
        [b] => memrchr(*b, h),
        _ if n.len() > h.len() => None,
        [first, rest @ ..] if h.len() < SHORT => {
            let mut end = h.len() - n.len() + 1;
            while let Some(at) = memrchr(*first, &h[..end]) {
                if h[at + 1..at + n.len()] == *rest {
                    return Some(at);
                }
                end = at;
            }
            None
        }
        _ => memmem::rfind(h, n),
    }
}

/// The number of non-overlapping `needle`s (non-empty) in `hay`.
pub(super) fn count(hay: &str, needle: &str) -> usize {
    match needle.as_bytes() {
        [b] => memchr::memchr_iter(*b, hay.as_bytes()).count(),
        n => memmem::find_iter(hay.as_bytes(), n).count(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every path agrees with the naive search, on short and long haystacks, ASCII and not.
    #[test]
    fn agrees_with_naive_search() {
        let long = "ab".repeat(40) + "é/x.aio" + &"ba".repeat(40);
        let hays = ["", "a", "abcabc", "/usr/lib/x.aio", "ééa/é", long.as_str()];
        let needles = [
            "", "a", "b", "é", "ab", "bc", "abc", "/", ".aio", "x.a", "zz", "aé",
        ];
        for h in hays {
            for n in needles {
                let starts = (0..=h.len()).filter(|&i| h.is_char_boundary(i));
                let all: Vec<usize> = starts.filter(|&i| h[i..].starts_with(n)).collect();
                assert_eq!(find(h, n), all.first().copied(), "find {h:?} {n:?}");
                assert_eq!(rfind(h, n), all.last().copied(), "rfind {h:?} {n:?}");
                let naive = if n.is_empty() {
                    0
                } else {
                    h.matches(n).count()
                };
                if !n.is_empty() {
                    assert_eq!(count(h, n), naive, "count {h:?} {n:?}");
                }
            }
        }
    }
}
