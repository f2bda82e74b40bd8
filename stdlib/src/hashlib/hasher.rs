//! The message digests behind `_hashlib` (RustCrypto's `md-5`, `sha1`, `sha2` and `sha3`,
//! with the SHAKE extendable-output functions), HMAC over them, and PBKDF2-HMAC.

use super::shake::Shake;
use sha2::Digest;

/// A running digest of one of aio's algorithms.
#[derive(Clone)]
pub enum Hasher {
    /// MD5.
    Md5(md5::Md5),
    /// SHA-1.
    Sha1(sha1::Sha1),
    /// SHA-224.
    Sha224(sha2::Sha224),
    /// SHA-256.
    Sha256(sha2::Sha256),
    /// SHA-384.
    Sha384(sha2::Sha384),
    /// SHA-512.
    Sha512(sha2::Sha512),
    /// SHA3-224.
    Sha3_224(sha3::Sha3_224),
    /// SHA3-256.
    Sha3_256(sha3::Sha3_256),
    /// SHA3-384.
    Sha3_384(sha3::Sha3_384),
    /// SHA3-512.
    Sha3_512(sha3::Sha3_512),
    /// SHAKE128 (any output length: [`Hasher::xof_digest`]).
    Shake128(Shake),
    /// SHAKE256.
    Shake256(Shake),
}

/// The algorithms, by CPython's names, in `algorithms_available` order of listing.
pub const NAMES: [&str; 12] = [
    "md5",
    "sha1",
    "sha224",
    "sha256",
    "sha384",
    "sha512",
    "sha3_224",
    "sha3_256",
    "sha3_384",
    "sha3_512",
    "shake_128",
    "shake_256",
];

/// Runs `$e` with `$h` bound to the inner digest of a fixed-size algorithm; `$xof` for the
/// SHAKE functions.
macro_rules! each {
    ($self:expr, $h:ident => $e:expr, $x:ident => $xof:expr) => {
        match $self {
            Hasher::Shake128($x) => $xof,
            Hasher::Shake256($x) => $xof,
            Hasher::Md5($h) => $e,
            Hasher::Sha1($h) => $e,
            Hasher::Sha224($h) => $e,
            Hasher::Sha256($h) => $e,
            Hasher::Sha384($h) => $e,
            Hasher::Sha512($h) => $e,
            Hasher::Sha3_224($h) => $e,
            Hasher::Sha3_256($h) => $e,
            Hasher::Sha3_384($h) => $e,
            Hasher::Sha3_512($h) => $e,
        }
    };
}

impl Hasher {
    /// A fresh digest for `name`, or `None`. The md5, sha1 and sha2 names are taken in any
    /// case, as OpenSSL takes them; the sha3 names only as CPython spells them (`sha3_256`:
    /// CPython maps that spelling to OpenSSL's `sha3-256`, and `SHA3_256` is unknown).
    pub fn new(name: &str) -> Option<Hasher> {
        match name {
            "sha3_224" => return Some(Hasher::Sha3_224(sha3::Sha3_224::new())),
            "sha3_256" => return Some(Hasher::Sha3_256(sha3::Sha3_256::new())),
            "sha3_384" => return Some(Hasher::Sha3_384(sha3::Sha3_384::new())),
            "sha3_512" => return Some(Hasher::Sha3_512(sha3::Sha3_512::new())),
            "shake_128" => return Some(Hasher::Shake128(Shake::shake128())),
            "shake_256" => return Some(Hasher::Shake256(Shake::shake256())),
            _ => {}
        }
        Some(match name.to_ascii_lowercase().as_str() {
            "md5" => Hasher::Md5(md5::Md5::new()),
            "sha1" => Hasher::Sha1(sha1::Sha1::new()),
            "sha224" => Hasher::Sha224(sha2::Sha224::new()),
            "sha256" => Hasher::Sha256(sha2::Sha256::new()),
            "sha384" => Hasher::Sha384(sha2::Sha384::new()),
            "sha512" => Hasher::Sha512(sha2::Sha512::new()),
            _ => return None,
        })
    }

    /// The algorithm's name in lower case (`h.name`).
    pub fn name(&self) -> &'static str {
        match self {
            Hasher::Md5(_) => "md5",
            Hasher::Sha1(_) => "sha1",
            Hasher::Sha224(_) => "sha224",
            Hasher::Sha256(_) => "sha256",
            Hasher::Sha384(_) => "sha384",
            Hasher::Sha512(_) => "sha512",
            Hasher::Sha3_224(_) => "sha3_224",
            Hasher::Sha3_256(_) => "sha3_256",
            Hasher::Sha3_384(_) => "sha3_384",
            Hasher::Sha3_512(_) => "sha3_512",
            Hasher::Shake128(_) => "shake_128",
            Hasher::Shake256(_) => "shake_256",
        }
    }

    /// Whether the algorithm is an extendable-output function (a `HASHXOF`).
    pub fn is_xof(&self) -> bool {
        matches!(self, Hasher::Shake128(_) | Hasher::Shake256(_))
    }

    /// The internal block size in bytes (`h.block_size`).
    pub fn block_size(&self) -> usize {
        match self {
            Hasher::Sha384(_) | Hasher::Sha512(_) => 128,
            // The sponge's rate: 1600 bits less twice the digest.
            Hasher::Sha3_224(_) => 144,
            Hasher::Shake128(x) | Hasher::Shake256(x) => x.rate(),
            Hasher::Sha3_256(_) => 136,
            Hasher::Sha3_384(_) => 104,
            Hasher::Sha3_512(_) => 72,
            _ => 64,
        }
    }

    /// The size of the digest in bytes (`h.digest_size`).
    pub fn digest_size(&self) -> usize {
        match self {
            Hasher::Md5(_) => 16,
            Hasher::Sha1(_) => 20,
            Hasher::Sha224(_) => 28,
            Hasher::Sha256(_) => 32,
            Hasher::Sha384(_) => 48,
            Hasher::Sha512(_) => 64,
            Hasher::Sha3_224(_) => 28,
            Hasher::Sha3_256(_) => 32,
            Hasher::Sha3_384(_) => 48,
            Hasher::Sha3_512(_) => 64,
            Hasher::Shake128(_) | Hasher::Shake256(_) => 0,
        }
    }

    /// Feeds `data` to the digest.
    pub fn update(&mut self, data: &[u8]) {
        each!(self, h => Digest::update(h, data), x => x.update(data))
    }

    /// The digest of the data so far; the running state goes on unchanged. Empty for the
    /// SHAKE functions, whose output has no fixed size ([`Hasher::xof_digest`]).
    pub fn digest(&self) -> Vec<u8> {
        each!(self, h => h.clone().finalize().to_vec(), _x => Vec::new())
    }

    /// The first `len` bytes of a SHAKE function's output for the data so far (empty for
    /// the fixed-size algorithms).
    pub fn xof_digest(&self, len: usize) -> Vec<u8> {
        each!(self, _h => Vec::new(), x => x.output(len))
    }
}

/// HMAC (RFC 2104) with the inner and outer digests keyed once, reused per message.
pub struct Hmac {
    inner: Hasher,
    outer: Hasher,
}

impl Hmac {
    /// The HMAC of algorithm `base` (a fresh digest) under `key`.
    pub fn new(base: Hasher, key: &[u8]) -> Hmac {
        let block = base.block_size();
        let mut k = if key.len() > block {
            let mut h = base.clone();
            h.update(key);
            h.digest()
        } else {
            key.to_vec()
        };
        k.resize(block, 0);
        let mut inner = base.clone();
        inner.update(&k.iter().map(|b| b ^ 0x36).collect::<Vec<u8>>());
        let mut outer = base;
        outer.update(&k.iter().map(|b| b ^ 0x5c).collect::<Vec<u8>>());
        Hmac { inner, outer }
    }

    /// The MAC of `parts` concatenated.
    pub fn mac(&self, parts: &[&[u8]]) -> Vec<u8> {
        let mut i = self.inner.clone();
        for p in parts {
            i.update(p);
        }
        let mut o = self.outer.clone();
        o.update(&i.digest());
        o.digest()
    }
}

/// PBKDF2 (RFC 8018) with HMAC of `base`: `dklen` bytes derived from `password` and
/// `salt` in `iterations` rounds.
pub fn pbkdf2_hmac(
    base: Hasher,
    password: &[u8],
    salt: &[u8],
    iterations: u32,
    dklen: usize,
) -> Vec<u8> {
    let mac = Hmac::new(base, password);
    let mut out = Vec::with_capacity(dklen);
    let mut index: u32 = 1;
    while out.len() < dklen {
        let mut u = mac.mac(&[salt, &index.to_be_bytes()]);
        let mut t = u.clone();
        for _ in 1..iterations {
            u = mac.mac(&[&u]);
            for (x, y) in t.iter_mut().zip(&u) {
                *x ^= y;
            }
        }
        let take = (dklen - out.len()).min(t.len());
        out.extend_from_slice(&t[..take]);
        index = index.wrapping_add(1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{pbkdf2_hmac, Hasher, Hmac};

    fn hex(b: &[u8]) -> String {
        b.iter().map(|c| format!("{c:02x}")).collect()
    }

    #[test]
    fn digests_and_sizes() {
        let mut h = Hasher::new("MD5").expect("md5");
        h.update(b"abc");
        assert_eq!(hex(&h.digest()), "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!((h.name(), h.digest_size(), h.block_size()), ("md5", 16, 64));
        let s = Hasher::new("sha512").expect("sha512");
        assert_eq!((s.digest_size(), s.block_size()), (64, 128));
        let s3 = Hasher::new("sha3_256").expect("sha3_256");
        assert_eq!(
            (s3.name(), s3.digest_size(), s3.block_size()),
            ("sha3_256", 32, 136)
        );
        assert!(Hasher::new("SHA3_256").is_none());
        let mut x = Hasher::new("shake_128").expect("shake_128");
        x.update(b"abc");
        // CPython: hashlib.shake_128(b'abc').hexdigest(10)
        assert_eq!(hex(&x.xof_digest(10)), "5881092dd818bf5cf8a3");
        assert_eq!(
            (x.digest_size(), x.block_size(), x.is_xof()),
            (0, 168, true)
        );
    }

    #[test]
    fn hmac_and_pbkdf2() {
        // Values from CPython's hmac and hashlib.
        let m = Hmac::new(Hasher::new("sha256").expect("sha256"), b"k");
        assert_eq!(
            hex(&m.mac(&[b"msg"])),
            "bf1a0c1242929b6464a6c0a9ac6298a67e09bd1cd4ef1f182ce0141691fc17a0"
        );
        let sha1 = Hasher::new("sha1").expect("sha1");
        assert_eq!(
            hex(&pbkdf2_hmac(sha1, b"pw", b"salt", 2, 10)),
            "133a0b823b029801576d"
        );
    }
}
