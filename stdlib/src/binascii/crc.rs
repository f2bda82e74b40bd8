//! The checksums of `binascii`: `crc32` (zlib's CRC-32) and `crc_hqx` (the CRC-CCITT of
//! BinHex 4.0, polynomial 0x1021).

/// The CRC-32 table (reflected polynomial 0xEDB88320), built at compile time.
const fn crc32_table() -> [u32; 256] {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        t[i] = c;
        i += 1;
    }
    t
}

static CRC32: [u32; 256] = crc32_table();

/// `crc32(data, crc)`: the running CRC-32 of `data` continuing from `crc`.
pub fn crc32(data: &[u8], crc: u32) -> u32 {
    let mut c = !crc;
    for &b in data {
        c = CRC32[((c ^ u32::from(b)) & 0xff) as usize] ^ (c >> 8);
    }
    !c
}

/// `crc_hqx(data, crc)`: the running CRC-CCITT (XModem) of `data` from `crc`.
pub fn crc_hqx(data: &[u8], crc: u16) -> u16 {
    let mut c = crc;
    for &b in data {
        c ^= u16::from(b) << 8;
        for _ in 0..8 {
            c = if c & 0x8000 != 0 {
                (c << 1) ^ 0x1021
            } else {
                c << 1
            };
        }
    }
    c
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_values() {
        // Values from CPython's binascii.
        assert_eq!(super::crc32(b"hello", 0), 907_060_870);
        assert_eq!(super::crc32(b"hello", 5), 4_277_152_246);
        assert_eq!(super::crc_hqx(b"hello", 0), 50018);
        assert_eq!(super::crc_hqx(b"hello", 0x2345), 63453);
    }
}
