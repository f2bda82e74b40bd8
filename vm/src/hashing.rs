//! Hash functions for the values whose hash the VM computes natively. Strings use a fast
//! keyed hash (CPython randomises string hashes, so any good hash is conforming); numbers
//! follow CPython exactly, because set iteration order depends on them.

/// The modulus of CPython's numeric hash (2**61 - 1).
pub const MODULUS: i64 = (1 << 61) - 1;

/// `hash(int)` for a 64-bit int.
pub fn hash_i64(v: i64) -> i64 {
    let m = MODULUS as i128;
    let r = (v as i128).rem_euclid(m) as i64;
    let h = if v < 0 {
        -(((-(v as i128)) % m) as i64)
    } else {
        r
    };
    if h == -1 {
        -2
    } else {
        h
    }
}

/// `hash(str)`: FxHash-style mixing over the bytes, never -1.
pub fn hash_str(s: &str) -> i64 {
    hash_bytes(s.as_bytes())
}

/// `hash(bytes)`.
pub fn hash_bytes(b: &[u8]) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for chunk in b.chunks(8) {
        let mut w = [0u8; 8];
        w[..chunk.len()].copy_from_slice(chunk);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    h ^= b.len() as u64;
    h = h.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let h = (h >> 1) as i64;
    if h == -1 {
        -2
    } else {
        h
    }
}

/// `hash(float)`, CPython's `_Py_HashDouble` (NaN hashes by identity; pass it in).
pub fn hash_f64(v: f64, identity: usize) -> i64 {
    if v.is_nan() {
        return (identity >> 4) as i64;
    }
    if v.is_infinite() {
        return if v > 0.0 { 314159 } else { -314159 };
    }
    let (mut m, mut e) = frexp(v.abs());
    let sign: i64 = if v < 0.0 { -1 } else { 1 };
    let mut x: u64 = 0;
    let modulus = MODULUS as u64;
    while m != 0.0 {
        x = ((x << 28) & modulus) | (x >> (61 - 28));
        m *= 268435456.0;
        e -= 28;
        let y = m as u64;
        m -= y as f64;
        x += y;
        if x >= modulus {
            x -= modulus;
        }
    }
    let e = if e >= 0 {
        e % 61
    } else {
        61 - 1 - ((-1 - e) % 61)
    };
    x = ((x << e) & modulus) | (x >> (61 - e));
    let h = x as i64 * sign;
    if h == -1 {
        -2
    } else {
        h
    }
}

fn frexp(v: f64) -> (f64, i32) {
    if v == 0.0 {
        return (0.0, 0);
    }
    let bits = v.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    if exp == 0 {
        let (m, e) = frexp(v * 2f64.powi(64));
        return (m, e - 64);
    }
    let m = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    (m, exp - 1022)
}

/// `hash(tuple)` from the item hashes (CPython 3.11's xxHash-based `tuplehash`).
pub fn hash_tuple(hashes: &[i64]) -> i64 {
    const P1: u64 = 11400714785074694791;
    const P2: u64 = 14029467366897019727;
    const P5: u64 = 2870177450012600261;
    let mut acc: u64 = P5;
    for &h in hashes {
        acc = acc.wrapping_add((h as u64).wrapping_mul(P2));
        acc = acc.rotate_left(31);
        acc = acc.wrapping_mul(P1);
    }
    acc = acc.wrapping_add((hashes.len() as u64) ^ (P5 ^ 3527539));
    if acc == u64::MAX {
        return 1546275796;
    }
    acc as i64
}
