//! uuencoding lines (`b2a_uu`, `a2b_uu`), ported from CPython 3.11's `binascii.c`.

/// Why a line cannot be decoded (the message of `binascii.Error`).
pub(super) struct UuError(pub &'static str);

/// One uuencoded line of `data` (at most 45 bytes): the length character, the 6-bit groups
/// (`` ` `` for zero with `backtick`) and a newline.
pub(super) fn encode(data: &[u8], backtick: bool) -> Result<Vec<u8>, UuError> {
    if data.len() > 45 {
        return Err(UuError("At most 45 bytes at once"));
    }
    let char_of = |v: u32| -> u8 {
        if backtick && v == 0 {
            b'`'
        } else {
            b' ' + v as u8
        }
    };
    let mut out = Vec::with_capacity(2 + data.len().div_ceil(3) * 4);
    out.push(char_of(data.len() as u32));
    let (mut left, mut bits) = (0u32, 0u32);
    let mut rest = data.len();
    let mut bytes = data.iter();
    while rest > 0 || bits != 0 {
        left = (left << 8) | u32::from(*bytes.next().unwrap_or(&0));
        bits += 8;
        while bits >= 6 {
            out.push(char_of((left >> (bits - 6)) & 0x3f));
            bits -= 6;
        }
        left &= (1 << bits) - 1;
        rest = rest.saturating_sub(1);
    }
    out.push(b'\n');
    Ok(out)
}

/// The bytes of uuencoded line `line`: as many as its length character says, zeros where
/// the line ends early; only blanks may follow them.
pub(super) fn decode(line: &[u8]) -> Result<Vec<u8>, UuError> {
    // CPython reads the buffer's terminating NUL as the length of an empty line.
    let first = line.first().copied().unwrap_or(0);
    let mut want = usize::from(first.wrapping_sub(b' ') & 0o77);
    let mut out = Vec::with_capacity(want);
    let mut rest = line.get(1..).unwrap_or(&[]).iter();
    let (mut left, mut bits) = (0u32, 0u32);
    while want > 0 {
        let ch = match rest.next() {
            None | Some(b'\n') | Some(b'\r') => 0,
            Some(&c) if !(b' '..=b' ' + 64).contains(&c) => return Err(UuError("Illegal char")),
            Some(&c) => u32::from((c - b' ') & 0o77),
        };
        left = (left << 6) | ch;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((left >> bits) as u8);
            left &= (1 << bits) - 1;
            want -= 1;
        }
    }
    if rest.any(|&c| !matches!(c, b' ' | b'`' | b'\n' | b'\r')) {
        return Err(UuError("Trailing garbage"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_length() {
        for n in 0..=45u8 {
            let data: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37)).collect();
            for backtick in [false, true] {
                let line = encode(&data, backtick).ok().expect("encodes");
                assert_eq!(decode(&line).ok(), Some(data.clone()));
            }
        }
        assert!(encode(&[0; 46], false).is_err());
    }
}
