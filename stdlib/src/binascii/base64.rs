//! The base64 cores of `binascii` (CPython 3.11's `binascii.c`): encoding with the
//! standard alphabet, and decoding in its lenient and strict modes with its errors.

/// The standard base64 alphabet.
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The padding character.
const PAD: u8 = b'=';

/// The value of a base64 character, or 64 for any other byte.
const fn decode_table() -> [u8; 256] {
    let mut t = [64u8; 256];
    let mut i = 0;
    while i < 64 {
        t[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    t
}

static TABLE: [u8; 256] = decode_table();

/// `b2a_base64`: `data` in base64, padded, with a final newline when `newline`.
pub fn encode(data: &[u8], newline: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len().div_ceil(3) * 4 + 1);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * k)) & 0x3f) as usize]);
            } else {
                out.push(PAD);
            }
        }
    }
    if newline {
        out.push(b'\n');
    }
    out
}

/// Why `a2b_base64` refused its input: the message of its `binascii.Error`.
#[derive(Debug, PartialEq, Eq)]
pub struct DecodeError(pub String);

fn fail<T>(msg: &str) -> Result<T, DecodeError> {
    Err(DecodeError(msg.to_string()))
}

/// `a2b_base64`: in lenient mode bytes outside the alphabet are skipped and decoding
/// stops at the first complete pad sequence; `strict` refuses them, leading padding,
/// data between or after pad characters.
pub fn decode(data: &[u8], strict: bool) -> Result<Vec<u8>, DecodeError> {
    let mut out = Vec::with_capacity(data.len() / 4 * 3 + 3);
    if strict && data.first() == Some(&PAD) {
        return fail("Leading padding not allowed");
    }
    let mut quad_pos = 0;
    let mut left: u8 = 0;
    let mut pads = 0;
    let mut padding_started = false;
    for (i, &c) in data.iter().enumerate() {
        if c == PAD {
            padding_started = true;
            if quad_pos >= 2 {
                pads += 1;
                if quad_pos + pads >= 4 {
                    if strict && i + 1 < data.len() {
                        return fail("Excess data after padding");
                    }
                    return Ok(out);
                }
            }
            continue;
        }
        let v = TABLE[c as usize];
        if v >= 64 {
            if strict {
                return fail("Only base64 data is allowed");
            }
            continue;
        }
        if strict && padding_started {
            return fail("Discontinuous padding not allowed");
        }
        pads = 0;
        match quad_pos {
            0 => {
                quad_pos = 1;
                left = v;
            }
            1 => {
                quad_pos = 2;
                out.push((left << 2) | (v >> 4));
                left = v & 0x0f;
            }
            2 => {
                quad_pos = 3;
                out.push((left << 4) | (v >> 2));
                left = v & 0x03;
            }
            _ => {
                quad_pos = 0;
                out.push((left << 6) | v);
                left = 0;
            }
        }
    }
    match quad_pos {
        0 => Ok(out),
        1 => Err(DecodeError(format!(
            "Invalid base64-encoded string: number of data characters ({}) cannot be 1 \
             more than a multiple of 4",
            out.len() / 3 * 4 + 1
        ))),
        _ => fail("Incorrect padding"),
    }
}

#[cfg(test)]
mod tests {
    use super::{decode, encode, DecodeError};

    #[test]
    fn round_trips() {
        assert_eq!(encode(b"", true), b"\n");
        assert_eq!(encode(b"a", false), b"YQ==");
        assert_eq!(encode(b"ab", false), b"YWI=");
        assert_eq!(encode(b"abc", true), b"YWJj\n");
        for n in 0..20u8 {
            let data: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37)).collect();
            assert_eq!(decode(&encode(&data, true), false).ok(), Some(data.clone()));
            assert_eq!(decode(&encode(&data, false), true).ok(), Some(data));
        }
    }

    #[test]
    fn lenient_and_strict() {
        assert_eq!(decode(b"Y!Q==", false), Ok(b"a".to_vec()));
        assert_eq!(decode(b"YQ==YQ==", false), Ok(b"a".to_vec()));
        assert_eq!(decode(b"YQ=a=", false), Ok(b"a\x06".to_vec()));
        let err = |m: &str| Err(DecodeError(m.to_string()));
        assert_eq!(decode(b"YQ=", false), err("Incorrect padding"));
        assert_eq!(decode(b"=YQ==", true), err("Leading padding not allowed"));
        assert_eq!(decode(b"YQ==\n", true), err("Excess data after padding"));
        assert_eq!(decode(b"Y\nQ==", true), err("Only base64 data is allowed"));
        assert_eq!(
            decode(b"YW=j", true),
            err("Discontinuous padding not allowed")
        );
        assert!(decode(b"YWJjZ", false).is_err_and(|e| e.0.contains("(5)")));
    }
}
