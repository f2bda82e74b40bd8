//! Algorithms shared by the methods of `str` (over `char`s) and of `bytes`/`bytearray`
//! (over `u8`s): CPython's search windows, find/count, split, replace, strip, padding, tab
//! expansion and line splitting. Pure functions on slices; the method files convert
//! arguments and results (with [`find_args`] for the arguments they parse alike).

use crate::native::Args;
use crate::value::Value;
use crate::vm::{PyResult, Vm};

/// CPython's `ADJUST_INDICES`: the `[start:end]` window of a search over `len` units.
/// `start` may come out past `end` (then nothing matches, not even an empty needle).
pub fn window(len: usize, start: Option<i64>, end: Option<i64>) -> (usize, usize) {
    let len = len as i64;
    let end = match end {
        None => len,
        Some(e) if e > len => len,
        Some(e) if e < 0 => (e + len).max(0),
        Some(e) => e,
    };
    let start = match start {
        None => 0,
        Some(s) if s < 0 => (s + len).max(0),
        Some(s) => s,
    };
    (start.min(len + 1) as usize, end as usize)
}

/// The first index of `pat` in `hay[start..end]` (CPython's `find` after the window).
pub fn find<T: PartialEq>(hay: &[T], pat: &[T], start: usize, end: usize) -> Option<usize> {
    if start > end || end - start < pat.len() {
        return None;
    }
    if pat.is_empty() {
        return Some(start);
    }
    hay[start..end]
        .windows(pat.len())
        .position(|w| w == pat)
        .map(|i| i + start)
}

/// The last index of `pat` in `hay[start..end]`.
pub fn rfind<T: PartialEq>(hay: &[T], pat: &[T], start: usize, end: usize) -> Option<usize> {
    if start > end || end - start < pat.len() {
        return None;
    }
    if pat.is_empty() {
        return Some(end);
    }
    hay[start..end]
        .windows(pat.len())
        .rposition(|w| w == pat)
        .map(|i| i + start)
}

/// Non-overlapping occurrences of `pat` in `hay[start..end]`; an empty `pat` matches
/// between every unit and at both ends.
pub fn count<T: PartialEq>(hay: &[T], pat: &[T], start: usize, end: usize) -> usize {
    if start > end || end - start < pat.len() {
        return 0;
    }
    if pat.is_empty() {
        return end - start + 1;
    }
    let (mut n, mut i) = (0, start);
    while i + pat.len() <= end {
        if hay[i..i + pat.len()] == *pat {
            n += 1;
            i += pat.len();
        } else {
            i += 1;
        }
    }
    n
}

/// `split(sep, maxsplit)` with a non-empty separator; `max < 0` means no limit.
pub fn split<'a, T: PartialEq>(hay: &'a [T], sep: &[T], max: i64) -> Vec<&'a [T]> {
    let mut out = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i + sep.len() <= hay.len() && (max < 0 || (out.len() as i64) < max) {
        if hay[i..i + sep.len()] == *sep {
            out.push(&hay[start..i]);
            i += sep.len();
            start = i;
        } else {
            i += 1;
        }
    }
    out.push(&hay[start..]);
    out
}

/// `rsplit(sep, maxsplit)` with a non-empty separator, parts in order.
pub fn rsplit<'a, T: PartialEq>(hay: &'a [T], sep: &[T], max: i64) -> Vec<&'a [T]> {
    let mut out = Vec::new();
    let mut end = hay.len();
    let mut i = hay.len();
    while i >= sep.len() && (max < 0 || (out.len() as i64) < max) {
        if hay[i - sep.len()..i] == *sep {
            out.push(&hay[i..end]);
            i -= sep.len();
            end = i;
        } else {
            i -= 1;
        }
    }
    out.push(&hay[..end]);
    out.reverse();
    out
}

/// `split()` on runs of whitespace (as `is_space` says), dropping empty parts.
pub fn split_whitespace<T>(hay: &[T], is_space: impl Fn(&T) -> bool, max: i64) -> Vec<&[T]> {
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        while i < hay.len() && is_space(&hay[i]) {
            i += 1;
        }
        if i == hay.len() {
            break;
        }
        if max >= 0 && out.len() as i64 == max {
            out.push(&hay[i..]);
            break;
        }
        let s = i;
        while i < hay.len() && !is_space(&hay[i]) {
            i += 1;
        }
        out.push(&hay[s..i]);
    }
    out
}

/// `rsplit()` on runs of whitespace, parts in order.
pub fn rsplit_whitespace<T>(hay: &[T], is_space: impl Fn(&T) -> bool, max: i64) -> Vec<&[T]> {
    let mut out = Vec::new();
    let mut i = hay.len();
    loop {
        while i > 0 && is_space(&hay[i - 1]) {
            i -= 1;
        }
        if i == 0 {
            break;
        }
        if max >= 0 && out.len() as i64 == max {
            out.push(&hay[..i]);
            break;
        }
        let e = i;
        while i > 0 && !is_space(&hay[i - 1]) {
            i -= 1;
        }
        out.push(&hay[i..e]);
    }
    out.reverse();
    out
}

/// `replace(old, new, count)`; `count < 0` replaces all. An empty `old` inserts `new`
/// before every unit and at the end.
pub fn replace<T: PartialEq + Clone>(hay: &[T], old: &[T], new: &[T], count: i64) -> Vec<T> {
    let mut out = Vec::with_capacity(hay.len());
    let mut left = if count < 0 {
        usize::MAX
    } else {
        count as usize
    };
    let mut i = 0;
    if old.is_empty() {
        for x in hay {
            if left > 0 {
                out.extend_from_slice(new);
                left -= 1;
            }
            out.push(x.clone());
        }
        if left > 0 {
            out.extend_from_slice(new);
        }
        return out;
    }
    while i < hay.len() {
        if left > 0 && hay[i..].starts_with(old) {
            out.extend_from_slice(new);
            i += old.len();
            left -= 1;
        } else {
            out.push(hay[i].clone());
            i += 1;
        }
    }
    out
}

/// Strips units matching `strip` from the left and/or right end.
pub fn strip<T>(hay: &[T], left: bool, right: bool, strip: impl Fn(&T) -> bool) -> &[T] {
    let mut s = 0;
    let mut e = hay.len();
    if left {
        while s < e && strip(&hay[s]) {
            s += 1;
        }
    }
    if right {
        while e > s && strip(&hay[e - 1]) {
            e -= 1;
        }
    }
    &hay[s..e]
}

/// How `center`, `ljust` and `rjust` place text.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Align {
    /// `center`.
    Center,
    /// `ljust`.
    Left,
    /// `rjust`.
    Right,
}

/// The fill counts `(left, right)` to pad `len` units to `width` (CPython's `pad`; `center`
/// puts the odd unit on the left when `width` is odd, else on the right).
pub fn pad_sides(len: usize, width: usize, align: Align) -> (usize, usize) {
    if width <= len {
        return (0, 0);
    }
    let total = width - len;
    match align {
        Align::Left => (0, total),
        Align::Right => (total, 0),
        Align::Center => {
            let left = total / 2 + (total & width & 1);
            (left, total - left)
        }
    }
}

/// `text` padded with `fill` to `width`.
pub fn pad<T: Clone>(text: &[T], width: usize, fill: T, align: Align) -> Vec<T> {
    let (l, r) = pad_sides(text.len(), width, align);
    let mut out = Vec::with_capacity(text.len() + l + r);
    out.extend(std::iter::repeat_n(fill.clone(), l));
    out.extend_from_slice(text);
    out.extend(std::iter::repeat_n(fill, r));
    out
}

/// `zfill(width)`: zeros after a leading sign.
pub fn zfill<T: Clone>(text: &[T], width: usize, zero: T, is_sign: impl Fn(&T) -> bool) -> Vec<T> {
    if width <= text.len() {
        return text.to_vec();
    }
    let mut out = pad(text, width, zero.clone(), Align::Right);
    let fill = width - text.len();
    if let Some(first) = text.first() {
        if is_sign(first) {
            out[0] = first.clone();
            out[fill] = zero;
        }
    }
    out
}

/// `expandtabs(tabsize)`: `is_tab` units become spaces up to the next multiple of
/// `tabsize`; `is_eol` units restart the column.
pub fn expand_tabs<T: Clone>(
    text: &[T],
    tabsize: i64,
    space: T,
    is_tab: impl Fn(&T) -> bool,
    is_eol: impl Fn(&T) -> bool,
) -> Vec<T> {
    let mut out = Vec::with_capacity(text.len());
    let mut col = 0i64;
    for x in text {
        if is_tab(x) {
            if tabsize > 0 {
                let n = tabsize - col % tabsize;
                out.extend(std::iter::repeat_n(space.clone(), n as usize));
                col += n;
            }
        } else {
            out.push(x.clone());
            col = if is_eol(x) { 0 } else { col + 1 };
        }
    }
    out
}

/// `splitlines(keepends)`. `break_len(rest)` is the length of the line break that starts
/// `rest` (0 when none; 2 for `\r\n`).
pub fn split_lines<T>(text: &[T], keepends: bool, break_len: impl Fn(&[T]) -> usize) -> Vec<&[T]> {
    let mut out = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < text.len() {
        let n = break_len(&text[i..]);
        if n == 0 {
            i += 1;
            continue;
        }
        out.push(&text[start..if keepends { i + n } else { i }]);
        i += n;
        start = i;
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// `partition(sep)` / `rpartition(sep)`: the index of the separator, if found.
pub fn partition<T: PartialEq>(text: &[T], sep: &[T], rev: bool) -> Option<usize> {
    if rev {
        rfind(text, sep, 0, text.len())
    } else {
        find(text, sep, 0, text.len())
    }
}

/// `title()`: calls `start` for units that begin a word (the previous unit is not cased)
/// and `inner` for the others.
pub fn title_case<T: Copy>(
    items: impl Iterator<Item = T>,
    is_cased: impl Fn(T) -> bool,
    mut start: impl FnMut(T),
    mut inner: impl FnMut(T),
) {
    let mut prev_cased = false;
    for c in items {
        if prev_cased {
            inner(c);
        } else {
            start(c);
        }
        prev_cased = is_cased(c);
    }
}

/// `istitle()`: upper (or title) case units only start words, lower case units only
/// continue them, and there is at least one cased unit.
pub fn is_title<T: Copy>(
    items: impl Iterator<Item = T>,
    is_upper: impl Fn(T) -> bool,
    is_lower: impl Fn(T) -> bool,
) -> bool {
    let (mut prev_cased, mut cased) = (false, false);
    for c in items {
        if is_upper(c) {
            if prev_cased {
                return false;
            }
            prev_cased = true;
            cased = true;
        } else if is_lower(c) {
            if !prev_cased {
                return false;
            }
            prev_cased = true;
            cased = true;
        } else {
            prev_cased = false;
        }
    }
    cased
}

/// `isupper()` / `islower()`: some unit is `cased` and none is `opposite`.
pub fn is_one_case<T: Copy>(
    items: impl Iterator<Item = T>,
    cased: impl Fn(T) -> bool,
    opposite: impl Fn(T) -> bool,
) -> bool {
    let mut any = false;
    for c in items {
        if opposite(c) {
            return false;
        }
        any |= cased(c);
    }
    any
}

/// Python's `str.isspace` / `str.split()` whitespace (`Py_UNICODE_ISSPACE`).
pub fn is_space_char(c: &char) -> bool {
    matches!(c, '\t'..='\r' | '\x1c'..='\x1f' | ' ' | '\u{85}')
        || (*c > '\u{7f}' && c.is_whitespace())
}

/// Whitespace of `bytes` (`Py_ISSPACE`): space, `\t \n \v \f \r`.
pub fn is_space_byte(b: &u8) -> bool {
    matches!(b, b' ' | b'\t'..=b'\r')
}

/// A line break of `bytes.splitlines`: `\n`, `\r`, `\r\n` only.
pub fn bytes_line_break(rest: &[u8]) -> usize {
    match rest {
        [b'\r', b'\n', ..] => 2,
        [b'\n' | b'\r', ..] => 1,
        _ => 0,
    }
}

/// The arguments of the `find` family and of `startswith`/`endswith`, `(sub[, start[,
/// end]])`, as CPython's `stringlib_parse_args_finds` takes them: the needle and the window
/// bounds (ints, `None` or objects with `__index__`).
pub fn find_args<'a>(
    vm: &mut Vm,
    a: &Args<'a>,
    name: &str,
) -> PyResult<(&'a Value, Option<i64>, Option<i64>)> {
    a.no_kwargs(vm, name)?;
    let n = a.len().saturating_sub(1);
    if n < 1 {
        return Err(vm.new_type_error(format!("{name}() takes at least 1 argument (0 given)")));
    }
    if n > 3 {
        return Err(vm.new_type_error(format!("{name}() takes at most 3 arguments ({n} given)")));
    }
    let mut bound = |i: usize| -> PyResult<Option<i64>> {
        match a.get(i) {
            Some(v) => super::subscript::slice_index(vm, v),
            None => Ok(None),
        }
    };
    let start = bound(2)?;
    let end = bound(3)?;
    Ok((&a.pos[1], start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strs(v: Vec<&[u8]>) -> Vec<&str> {
        v.into_iter()
            .map(|p| std::str::from_utf8(p).unwrap())
            .collect()
    }

    #[test]
    fn windows_like_cpython() {
        assert_eq!(window(3, None, None), (0, 3));
        assert_eq!(window(3, Some(-1), None), (2, 3));
        assert_eq!(window(3, Some(5), Some(-10)), (4, 0));
        assert_eq!(find(b"abc", b"", 4, 3), None);
        assert_eq!(find(b"abc", b"", 3, 3), Some(3));
        assert_eq!(rfind(b"abcabc", b"bc", 0, 6), Some(4));
        assert_eq!(count(b"aaa", b"aa", 0, 3), 1);
        assert_eq!(count(b"abc", b"", 1, 3), 3);
    }

    #[test]
    fn splitting() {
        assert_eq!(strs(split(b"a,b,,c", b",", 1)), ["a", "b,,c"]);
        assert_eq!(strs(rsplit(b"a,b,c", b",", 1)), ["a,b", "c"]);
        assert_eq!(strs(split(b"a,b", b",", -1)), ["a", "b"]);
        assert_eq!(
            strs(split_whitespace(b"  a b  c ", is_space_byte, 1)),
            ["a", "b  c "]
        );
        assert_eq!(
            strs(rsplit_whitespace(b" a b c ", is_space_byte, 1)),
            [" a b", "c"]
        );
        assert_eq!(
            strs(split_lines(b"a\nb\r\nc", true, bytes_line_break)),
            ["a\n", "b\r\n", "c"]
        );
    }

    #[test]
    fn replacing_and_padding() {
        assert_eq!(replace(b"abc", b"", b"-", 2), b"-a-bc");
        assert_eq!(replace(b"hello", b"l", b"", 1), b"helo");
        assert_eq!(pad(b"abc", 6, b'*', Align::Center), b"*abc**");
        assert_eq!(pad(b"ab", 5, b' ', Align::Center), b"  ab ");
        assert_eq!(zfill(b"-7", 4, b'0', |c| *c == b'-'), b"-007");
        assert_eq!(zfill(b"-", 3, b'0', |c| *c == b'-'), b"-00");
        assert_eq!(
            expand_tabs(b"a\tb\r\tc", 8, b' ', |c| *c == b'\t', |c| *c == b'\r'),
            b"a       b\r        c"
        );
    }
}
