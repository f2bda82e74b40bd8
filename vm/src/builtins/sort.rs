//! The stable sort behind `list.sort` and `sorted`: a merge sort (of keys beside their
//! items' indices, or of any `Copy` elements) driven by a
//! fallible `is_less`, so a comparison that raises stops the sort with that exception, and
//! an inconsistent user `__lt__` yields some order (as in CPython) instead of tripping the
//! total-order checks of Rust's `sort_by`. Runs that are already in order merge in linear
//! time, and short slices use binary insertion, so sorted input costs about n comparisons.

/// Sorts `idx` stably by `is_less` on its elements; stops at the first error.
pub fn stable_sort<T: Copy, E>(
    idx: &mut [T],
    is_less: &mut impl FnMut(T, T) -> Result<bool, E>,
) -> Result<(), E> {
    if idx.len() < SMALL_MAX {
        return small_sort(idx, is_less);
    }
    let mut buf = Vec::with_capacity(idx.len());
    sort_range(idx, &mut buf, is_less)
}

/// Below this length CPython's timsort is one run and a binary insertion sort (its
/// `minrun` is the whole list); [`small_sort`] does the same.
const SMALL_MAX: usize = 64;

/// CPython's sort of a short list, comparison for comparison (`count_run`, then
/// `binarysort`): the same order of calls to `__lt__`, and the same result when they are
/// inconsistent (a NaN among floats, a user `__lt__` that is not an order).
fn small_sort<T: Copy, E>(
    v: &mut [T],
    is_less: &mut impl FnMut(T, T) -> Result<bool, E>,
) -> Result<(), E> {
    let n = v.len();
    if n < 2 {
        return Ok(());
    }
    // The run at the start: strictly descending (reversed in place) or non-descending.
    let mut run = 2;
    if is_less(v[1], v[0])? {
        while run < n && is_less(v[run], v[run - 1])? {
            run += 1;
        }
        v[..run].reverse();
    } else {
        while run < n && !is_less(v[run], v[run - 1])? {
            run += 1;
        }
    }
    // Binary insertion of the rest.
    for start in run..n {
        insert_sorted(v, start, start, is_less)?;
    }
    Ok(())
}

/// Moves `v[i]` into the sorted `v[..i]`: before the first of `v[..hi]` it is less than
/// (after the equal items already placed, for stability), found by binary search.
fn insert_sorted<T: Copy, E>(
    v: &mut [T],
    i: usize,
    hi: usize,
    is_less: &mut impl FnMut(T, T) -> Result<bool, E>,
) -> Result<(), E> {
    let x = v[i];
    let (mut lo, mut hi) = (0, hi);
    while lo < hi {
        let m = lo + (hi - lo) / 2;
        if is_less(x, v[m])? {
            hi = m;
        } else {
            lo = m + 1;
        }
    }
    v.copy_within(lo..i, lo + 1);
    v[lo] = x;
    Ok(())
}

const INSERTION_MAX: usize = 16;

fn sort_range<T: Copy, E>(
    v: &mut [T],
    buf: &mut Vec<T>,
    is_less: &mut impl FnMut(T, T) -> Result<bool, E>,
) -> Result<(), E> {
    if v.len() <= INSERTION_MAX {
        return insertion_sort(v, is_less);
    }
    let mid = v.len() / 2;
    sort_range(&mut v[..mid], buf, is_less)?;
    sort_range(&mut v[mid..], buf, is_less)?;
    // Already in order across the halves: nothing to merge.
    if !is_less(v[mid], v[mid - 1])? {
        return Ok(());
    }
    buf.clear();
    buf.extend_from_slice(&v[..mid]);
    let (mut i, mut j, mut k) = (0, mid, 0);
    while i < buf.len() && j < v.len() {
        // Take from the right only when strictly less: equal items keep their order.
        let right_first = match is_less(v[j], buf[i]) {
            Ok(r) => r,
            Err(e) => {
                // Put the left run's rest into the free slots v[k..j], so `v` stays a
                // permutation of the indices.
                v[k..j].copy_from_slice(&buf[i..]);
                return Err(e);
            }
        };
        if right_first {
            v[k] = v[j];
            j += 1;
        } else {
            v[k] = buf[i];
            i += 1;
        }
        k += 1;
    }
    while i < buf.len() {
        v[k] = buf[i];
        i += 1;
        k += 1;
    }
    Ok(())
}

fn insertion_sort<T: Copy, E>(
    v: &mut [T],
    is_less: &mut impl FnMut(T, T) -> Result<bool, E>,
) -> Result<(), E> {
    for i in 1..v.len() {
        // Already after its predecessor: nothing to move (and `v[i - 1]` is known greater).
        if is_less(v[i], v[i - 1])? {
            insert_sorted(v, i, i - 1, is_less)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::stable_sort;

    fn lcg(seed: &mut u64) -> u64 {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        *seed >> 33
    }

    #[test]
    fn sorts_stably_like_the_standard_library() {
        let mut seed = 7;
        for n in [0, 1, 2, 5, 16, 17, 100, 1000, 4097] {
            let keys: Vec<u64> = (0..n).map(|_| lcg(&mut seed) % 50).collect();
            let mut idx: Vec<usize> = (0..n).collect();
            stable_sort::<_, ()>(&mut idx, &mut |a, b| Ok(keys[a] < keys[b])).unwrap();
            let mut want: Vec<usize> = (0..n).collect();
            want.sort_by_key(|&i| keys[i]);
            assert_eq!(idx, want, "n = {n}");
        }
    }

    #[test]
    fn sorted_input_takes_linear_comparisons() {
        let n = 10_000;
        let mut idx: Vec<usize> = (0..n).collect();
        let mut count = 0;
        stable_sort::<_, ()>(&mut idx, &mut |a, b| {
            count += 1;
            Ok(a < b)
        })
        .unwrap();
        assert!(count < 2 * n, "{count} comparisons");
    }

    #[test]
    fn an_error_stops_the_sort_and_inconsistent_orders_do_not_panic() {
        let mut idx: Vec<usize> = (0..100).rev().collect();
        let mut calls = 0;
        let r = stable_sort(&mut idx, &mut |_, _| {
            calls += 1;
            if calls == 10 {
                Err("boom")
            } else {
                Ok(true)
            }
        });
        assert_eq!(r, Err("boom"));
        // Whatever was done so far, every index is still there once.
        idx.sort();
        assert_eq!(idx, (0..100).collect::<Vec<_>>());
        // An error in the middle of a merge too, and in a short list's insertions.
        for (n, stop) in [
            (100, 20),
            (100, 60),
            (100, 150),
            (100, 300),
            (30, 3),
            (30, 20),
        ] {
            let mut idx: Vec<usize> = (0..n).rev().collect();
            let mut calls = 0;
            let r = stable_sort(&mut idx, &mut |a, b| {
                calls += 1;
                if calls == stop {
                    Err(())
                } else {
                    Ok(a < b)
                }
            });
            assert!(r.is_err());
            idx.sort();
            assert_eq!(idx, (0..n).collect::<Vec<_>>(), "stop at {stop}");
        }
        let mut flip = false;
        let mut idx: Vec<usize> = (0..1000).collect();
        stable_sort::<_, ()>(&mut idx, &mut |_, _| {
            flip = !flip;
            Ok(flip)
        })
        .unwrap();
        idx.sort();
        assert_eq!(idx, (0..1000).collect::<Vec<_>>());
    }
}
