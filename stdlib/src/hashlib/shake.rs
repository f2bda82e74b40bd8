//! SHAKE128 and SHAKE256 (FIPS 202), the extendable-output functions of the SHA-3 family:
//! a Keccak-f[1600] sponge (RustCrypto's `keccak` permutation) that absorbs at the rate of
//! 168 or 136 bytes, pads with the SHAKE domain bits, and squeezes any number of bytes.

/// A running SHAKE sponge.
#[derive(Clone)]
pub struct Shake {
    state: [u64; 25],
    /// Bytes not yet absorbed (fewer than `rate`).
    pending: Vec<u8>,
    /// The rate in bytes: 168 for SHAKE128, 136 for SHAKE256.
    rate: usize,
}

fn permute(state: &mut [u64; 25]) {
    keccak::Keccak::new().with_f1600(|f| f(state));
}

fn absorb_block(state: &mut [u64; 25], block: &[u8]) {
    for (lane, chunk) in state.iter_mut().zip(block.chunks(8)) {
        let mut bytes = [0u8; 8];
        bytes[..chunk.len()].copy_from_slice(chunk);
        *lane ^= u64::from_le_bytes(bytes);
    }
    permute(state);
}

impl Shake {
    /// SHAKE128.
    pub fn shake128() -> Shake {
        Shake::with_rate(168)
    }

    /// SHAKE256.
    pub fn shake256() -> Shake {
        Shake::with_rate(136)
    }

    fn with_rate(rate: usize) -> Shake {
        Shake {
            state: [0; 25],
            pending: Vec::with_capacity(rate),
            rate,
        }
    }

    /// The rate in bytes (`block_size`).
    pub fn rate(&self) -> usize {
        self.rate
    }

    /// Absorbs `data`.
    pub fn update(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            let take = (self.rate - self.pending.len()).min(data.len());
            self.pending.extend_from_slice(&data[..take]);
            data = &data[take..];
            if self.pending.len() == self.rate {
                absorb_block(&mut self.state, &self.pending);
                self.pending.clear();
            }
        }
    }

    /// The first `len` bytes of the output for the data absorbed so far; the sponge itself
    /// goes on unchanged.
    pub fn output(&self, len: usize) -> Vec<u8> {
        let mut state = self.state;
        let mut last = self.pending.clone();
        last.resize(self.rate, 0);
        last[self.pending.len()] ^= 0x1f;
        last[self.rate - 1] ^= 0x80;
        absorb_block(&mut state, &last);
        let mut out = Vec::with_capacity(len);
        loop {
            for lane in &state[..self.rate / 8] {
                for b in lane.to_le_bytes() {
                    if out.len() == len {
                        return out;
                    }
                    out.push(b);
                }
            }
            if out.len() == len {
                return out;
            }
            permute(&mut state);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Shake;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|c| format!("{c:02x}")).collect()
    }

    #[test]
    fn matches_cpython() {
        // CPython: hashlib.shake_128(b'abc').hexdigest(10), hashlib.shake_256(b'').hexdigest(8)
        let mut s = Shake::shake128();
        s.update(b"abc");
        assert_eq!(hex(&s.output(10)), "5881092dd818bf5cf8a3");
        assert_eq!(hex(&Shake::shake256().output(8)), "46b9dd2b0ba88d13");
        // Across block boundaries, in pieces: CPython's shake_128(b'x' * 500).hexdigest(400)
        // ends as the one-piece digest does.
        let mut a = Shake::shake128();
        a.update(&[b'x'; 500]);
        let mut b = Shake::shake128();
        for chunk in [b'x'; 500].chunks(37) {
            b.update(chunk);
        }
        assert_eq!(a.output(400), b.output(400));
    }
}
