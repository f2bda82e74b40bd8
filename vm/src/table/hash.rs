//! CPython 3.11's hash functions for 64-bit builds (`Python/pyhash.c`, `long_hash`,
//! `_Py_HashDouble`, `tuplehash`, `complex_hash`, `frozenset_hash`).
//!
//! Numeric hashes follow CPython's rule that numbers which compare equal hash equal: every
//! rational `x` hashes to `x mod (2**61 - 1)` with the sign of `x` (so `hash(2.0) ==
//! hash(2)`), and `-1` (CPython's error marker) is replaced by `-2`.
//!
//! `str` and `bytes` hashes are SipHash-1-3 with an all-zero key over CPython's internal
//! representation of the data: exactly what CPython computes when run with
//! `PYTHONHASHSEED=0` (a normal CPython run randomizes these, so no program can depend on
//! them).

use num_bigint::{BigInt, Sign};

/// The prime modulus of numeric hashes, `2**61 - 1` (`sys.hash_info.modulus`).
pub const MODULUS: u64 = (1 << HASH_BITS) - 1;
/// The bit width of [`MODULUS`] (`_PyHASH_BITS`).
pub const HASH_BITS: u32 = 61;
/// `hash(float('inf'))` (`sys.hash_info.inf`); `-inf` hashes to its negation.
pub const HASH_INF: i64 = 314_159;
/// The multiplier of the imaginary part's hash in [`hash_complex`] (`sys.hash_info.imag`).
pub const HASH_IMAG: u64 = 1_000_003;

/// Replaces CPython's error marker `-1` by `-2`, as every CPython hash function does.
#[inline]
fn not_minus_one(h: i64) -> i64 {
    if h == -1 {
        -2
    } else {
        h
    }
}

/// `x * 2**e mod MODULUS` for `x < MODULUS` and `e < 61`: a 61-bit rotation.
#[inline]
fn mul_pow2(x: u64, e: u32) -> u64 {
    debug_assert!(x < MODULUS && e < HASH_BITS);
    ((x << e) & MODULUS) | (x >> (HASH_BITS - e))
}

/// `(a + b) mod MODULUS` for `a, b < MODULUS`.
#[inline]
fn add_mod(a: u64, b: u64) -> u64 {
    let s = a + b;
    if s >= MODULUS {
        s - MODULUS
    } else {
        s
    }
}

/// Applies the sign to a reduced magnitude and avoids `-1`.
#[inline]
fn signed(magnitude: u64, negative: bool) -> i64 {
    let m = magnitude as i64;
    not_minus_one(if negative { -m } else { m })
}

/// `hash(v)` for an int (CPython's `long_hash`): `v mod (2**61 - 1)` with `v`'s sign.
pub fn hash_i64(v: i64) -> i64 {
    signed(v.unsigned_abs() % MODULUS, v < 0)
}

/// `hash(v)` for an arbitrarily large int (CPython's `long_hash`); agrees with
/// [`hash_i64`] wherever both apply.
pub fn hash_bigint(v: &BigInt) -> i64 {
    // 2**64 == 2**3 (mod 2**61 - 1), so the k-th 64-bit digit is scaled by 2**(3k mod 61).
    let mut acc = 0u64;
    for (k, digit) in v.magnitude().iter_u64_digits().enumerate() {
        let d = digit % MODULUS;
        acc = add_mod(acc, mul_pow2(d, ((3 * k) % HASH_BITS as usize) as u32));
    }
    signed(acc, v.sign() == Sign::Minus)
}

/// `hash(b)` for a bool: the hash of the int 0 or 1.
pub fn hash_bool(b: bool) -> i64 {
    b as i64
}

/// CPython's `_Py_HashPointer`: the hash of an object identity (an address), rotated so
/// that alignment zeros do not all land in the low bits. This is `object.__hash__`.
pub fn hash_pointer(identity: usize) -> i64 {
    not_minus_one((identity as u64).rotate_right(4) as i64)
}

/// `hash(v)` for a float (CPython's `_Py_HashDouble`).
///
/// Finite values hash like the equal rational (`hash(2.0) == hash(2)`, `hash(0.5) ==
/// hash(Fraction(1, 2))`, `hash(-0.0) == 0`); `inf` is [`HASH_INF`] and `-inf` its negation.
/// Since CPython 3.10 a NaN hashes by object identity: `identity` (the float object's
/// address or any identity token) is then passed to [`hash_pointer`] and ignored otherwise.
pub fn hash_f64(v: f64, identity: usize) -> i64 {
    if v.is_nan() {
        return hash_pointer(identity);
    }
    if v.is_infinite() {
        return if v > 0.0 { HASH_INF } else { -HASH_INF };
    }
    let bits = v.to_bits();
    let negative = bits >> 63 == 1;
    let biased = ((bits >> 52) & 0x7ff) as i64;
    let fraction = bits & ((1 << 52) - 1);
    // |v| == mantissa * 2**exponent exactly.
    let (mantissa, exponent) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1 << 52), biased - 1075)
    };
    // mantissa < 2**53 < MODULUS; a negative power of two is the inverse rotation.
    let e = exponent.rem_euclid(HASH_BITS as i64) as u32;
    signed(mul_pow2(mantissa, e), negative)
}

/// `hash(complex(re, im))` (CPython's `complex_hash`): `hash(re) + 1000003 * hash(im)`
/// with wrapping arithmetic. `identity` is used only by a NaN part (see [`hash_f64`]).
pub fn hash_complex(re: f64, im: f64, identity: usize) -> i64 {
    let r = hash_f64(re, identity) as u64;
    let i = hash_f64(im, identity) as u64;
    not_minus_one(r.wrapping_add(HASH_IMAG.wrapping_mul(i)) as i64)
}

const XXPRIME_1: u64 = 11_400_714_785_074_694_791;
const XXPRIME_2: u64 = 14_029_467_366_897_019_727;
const XXPRIME_5: u64 = 2_870_177_450_012_600_261;

/// An incremental `tuplehash` (CPython 3.11's xxHash-based tuple hash), for callers whose
/// item hashes are computed one at a time and may fail (`__hash__` can raise).
#[derive(Clone, Copy, Debug)]
pub struct TupleHasher {
    acc: u64,
    len: u64,
}

impl TupleHasher {
    /// A hasher for a tuple with no items yet.
    pub fn new() -> Self {
        TupleHasher {
            acc: XXPRIME_5,
            len: 0,
        }
    }

    /// Mixes in the hash of the next item.
    pub fn add(&mut self, item_hash: i64) {
        let lane = item_hash as u64;
        self.acc = self.acc.wrapping_add(lane.wrapping_mul(XXPRIME_2));
        self.acc = self.acc.rotate_left(31);
        self.acc = self.acc.wrapping_mul(XXPRIME_1);
        self.len += 1;
    }

    /// The tuple's hash, given all its items were added.
    pub fn finish(&self) -> i64 {
        let acc = self.acc.wrapping_add(self.len ^ (XXPRIME_5 ^ 3_527_539));
        if acc == u64::MAX {
            1_546_275_796
        } else {
            acc as i64
        }
    }
}

impl Default for TupleHasher {
    fn default() -> Self {
        Self::new()
    }
}

/// `hash(t)` for a tuple, given its items' hashes in order (the length is their count).
pub fn hash_tuple(item_hashes: impl IntoIterator<Item = i64>) -> i64 {
    let mut h = TupleHasher::new();
    for item in item_hashes {
        h.add(item);
    }
    h.finish()
}

/// One element's contribution to a frozenset hash (CPython's `_shuffle_bits`).
#[inline]
fn shuffle_bits(h: u64) -> u64 {
    ((h ^ 89_869_747) ^ (h << 16)).wrapping_mul(3_644_798_167)
}

/// `hash(frozenset(...))` (CPython's `frozenset_hash`), given the hashes of its elements in
/// any order (the result does not depend on the order, the table size or deleted slots).
pub fn hash_frozenset(element_hashes: impl IntoIterator<Item = i64>) -> i64 {
    let mut hash = 0u64;
    let mut len = 0u64;
    for h in element_hashes {
        hash ^= shuffle_bits(h as u64);
        len += 1;
    }
    hash ^= (len + 1).wrapping_mul(1_927_868_237);
    hash ^= (hash >> 11) ^ (hash >> 25);
    hash = hash.wrapping_mul(69_069).wrapping_add(907_133_923);
    if hash == u64::MAX {
        590_923_713
    } else {
        hash as i64
    }
}

/// SipHash-1-3 with a zero key, fed incrementally (CPython's `siphash13`).
struct Sip13 {
    v: [u64; 4],
    tail: u64,
    ntail: u32,
    length: u64,
}

impl Sip13 {
    fn new() -> Self {
        Sip13 {
            v: [
                0x736f_6d65_7073_6575,
                0x646f_7261_6e64_6f6d,
                0x6c79_6765_6e65_7261,
                0x7465_6462_7974_6573,
            ],
            tail: 0,
            ntail: 0,
            length: 0,
        }
    }

    #[inline]
    fn round(&mut self) {
        let [mut v0, mut v1, mut v2, mut v3] = self.v;
        v0 = v0.wrapping_add(v1);
        v1 = v1.rotate_left(13) ^ v0;
        v0 = v0.rotate_left(32);
        v2 = v2.wrapping_add(v3);
        v3 = v3.rotate_left(16) ^ v2;
        v0 = v0.wrapping_add(v3);
        v3 = v3.rotate_left(21) ^ v0;
        v2 = v2.wrapping_add(v1);
        v1 = v1.rotate_left(17) ^ v2;
        v2 = v2.rotate_left(32);
        self.v = [v0, v1, v2, v3];
    }

    #[inline]
    fn block(&mut self, m: u64) {
        self.v[3] ^= m;
        self.round();
        self.v[0] ^= m;
    }

    fn write(&mut self, mut bytes: &[u8]) {
        self.length += bytes.len() as u64;
        while self.ntail != 0 && !bytes.is_empty() {
            self.tail |= (bytes[0] as u64) << (8 * self.ntail);
            self.ntail += 1;
            bytes = &bytes[1..];
            if self.ntail == 8 {
                let m = self.tail;
                self.block(m);
                self.tail = 0;
                self.ntail = 0;
            }
        }
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.block(u64::from_le_bytes(word));
        }
        for (k, &b) in chunks.remainder().iter().enumerate() {
            self.tail |= (b as u64) << (8 * k);
        }
        self.ntail = chunks.remainder().len() as u32;
    }

    fn finish(mut self) -> u64 {
        let b = (self.length << 56) | self.tail;
        self.block(b);
        self.v[2] ^= 0xff;
        self.round();
        self.round();
        self.round();
        let [v0, v1, v2, v3] = self.v;
        v0 ^ v1 ^ v2 ^ v3
    }
}

/// CPython's `_Py_HashBytes`: the empty input hashes to 0.
fn finish_bytes_hash(sip: Sip13) -> i64 {
    if sip.length == 0 {
        0
    } else {
        not_minus_one(sip.finish() as i64)
    }
}

/// `hash(b)` for bytes: CPython's value under `PYTHONHASHSEED=0`; never -1.
///
/// One pass over whole words; the last partial word is read with at most two loads
/// (most keys are short, and a byte-by-byte tail cost more than the rounds).
pub fn hash_bytes(data: &[u8]) -> i64 {
    if data.is_empty() {
        return 0;
    }
    let mut sip = Sip13::new();
    let mut chunks = data.chunks_exact(8);
    for chunk in &mut chunks {
        sip.block(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
    }
    sip.tail = tail_word(chunks.remainder());
    sip.length = data.len() as u64;
    not_minus_one(sip.finish() as i64)
}

/// The 0 to 7 bytes of `r` as a little-endian word: two overlapping loads (of four
/// bytes, or of single bytes for fewer than four) whose shared bytes agree.
#[inline]
fn tail_word(r: &[u8]) -> u64 {
    let n = r.len();
    match n {
        0 => 0,
        1..=3 => {
            r[0] as u64 | (r[n / 2] as u64) << (8 * (n / 2)) | (r[n - 1] as u64) << (8 * (n - 1))
        }
        _ => {
            let lo = u32::from_le_bytes(r[..4].try_into().expect("4 bytes")) as u64;
            let hi = u32::from_le_bytes(r[n - 4..].try_into().expect("4 bytes")) as u64;
            lo | hi << (8 * (n - 4))
        }
    }
}

/// `hash(s)` for a str: CPython's value under `PYTHONHASHSEED=0` (SipHash-1-3 over the
/// PEP 393 representation: Latin-1, UCS-2 or UCS-4 little-endian units, the narrowest
/// that holds every character); never -1.
pub fn hash_str(s: &str) -> i64 {
    if s.is_ascii() {
        return hash_bytes(s.as_bytes());
    }
    let max = s.chars().map(u32::from).max().unwrap_or(0);
    let width = if max < 0x100 {
        1
    } else if max < 0x1_0000 {
        2
    } else {
        4
    };
    let mut sip = Sip13::new();
    let mut buf = [0u8; 64];
    let mut n = 0;
    for c in s.chars() {
        let units = u32::from(c).to_le_bytes();
        buf[n..n + width].copy_from_slice(&units[..width]);
        n += width;
        if n == buf.len() {
            sip.write(&buf);
            n = 0;
        }
    }
    sip.write(&buf[..n]);
    finish_bytes_hash(sip)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_hash_basics() {
        assert_eq!(hash_i64(-1), -2);
        assert_eq!(hash_i64(-2), -2);
        assert_eq!(hash_i64(MODULUS as i64), 0);
        assert_eq!(hash_i64(i64::MIN), hash_bigint(&BigInt::from(i64::MIN)));
        assert_eq!(hash_f64(2.0, 0), 2);
        assert_eq!(hash_f64(-0.0, 0), 0);
        assert_eq!(hash_f64(f64::INFINITY, 0), HASH_INF);
        assert_eq!(hash_f64(f64::NEG_INFINITY, 0), -HASH_INF);
        assert_eq!(hash_f64(f64::NAN, 0x1234_5670), hash_pointer(0x1234_5670));
        assert_eq!(hash_pointer(0x10), 1);
        assert_eq!(hash_pointer(0xf), 0xf000_0000_0000_0000_u64 as i64);
        assert_eq!(hash_pointer(usize::MAX), -2);
        assert_eq!(hash_complex(3.0, 0.0, 0), 3);
        assert_eq!(hash_bool(true), 1);
        assert_eq!(hash_str(""), 0);
        assert_eq!(hash_bytes(b""), 0);
    }

    /// CPython 3.11's values under `PYTHONHASHSEED=0` (printed by `hash(s)`), for every
    /// tail length of the word-at-a-time path and for the PEP 393 widths.
    #[test]
    fn table_hash_str_matches_cpython() {
        let cases: [(&str, i64); 13] = [
            ("a", 4644417185603328019),
            ("ab", 6148830537548944441),
            ("abc", -4594863902769663758),
            ("abcd", -2030606670787596663),
            ("abcde", 2674923165546153122),
            ("abcdef", 7070790388344807208),
            ("abcdefg", 7904145750247929094),
            ("abcdefgh", 4574395652268504554),
            ("abcdefghi", -532774252720507163),
            ("k49999", -1337796044972822290),
            ("hello world, this is 23 bytes", -469145408498936258),
            ("\u{e9}", 6047309291227476195),
            ("\u{20ac}uro", 7542247858446192590),
        ];
        for (s, h) in cases {
            assert_eq!(hash_str(s), h, "{s:?}");
            if s.is_ascii() {
                assert_eq!(hash_bytes(s.as_bytes()), h, "{s:?}");
            }
        }
    }

    /// The one-shot word path agrees with the streaming hasher at every length.
    #[test]
    fn table_hash_bytes_matches_streaming() {
        let data: Vec<u8> = (0..64u8).map(|i| i.wrapping_mul(37) ^ 0x5a).collect();
        for n in 0..data.len() {
            let mut sip = Sip13::new();
            sip.write(&data[..n]);
            assert_eq!(hash_bytes(&data[..n]), finish_bytes_hash(sip), "length {n}");
        }
    }

    #[test]
    fn table_hash_never_minus_one() {
        // A value whose reduction is -1 maps to -2, whichever type produced it.
        assert_eq!(hash_bigint(&BigInt::from(-1)), -2);
        assert_eq!(hash_f64(-1.0, 0), -2);
        assert_eq!(hash_complex(-1.0, 0.0, 0), -2);
    }
}
