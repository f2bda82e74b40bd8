//! `pow(base, exp, mod)` for integers: left-to-right square-and-multiply in fixed-size limb
//! buffers when the modulus fits in [`MAX_LIMBS`] 64-bit limbs, so no step allocates
//! (num-bigint's `modpow` allocates a product and a quotient at every step, which made it
//! as slow as CPython's `long_pow` on the 100-bit moduli scripts use). Larger moduli take
//! num-bigint's `modpow`.

use num_bigint::{BigInt, BigUint, Sign};
use num_integer::Integer;
use num_traits::{One, Zero};

/// The largest modulus, in 64-bit limbs, that the fixed-size path takes.
const MAX_LIMBS: usize = 4;

/// Limbs of a value below the modulus, least significant first.
type Limbs = [u64; MAX_LIMBS];

/// `base ** exp % m` with Python's sign rule (the result has the sign of `m`, or is 0), for
/// `exp >= 0` and `m != 0`.
pub(crate) fn pow_mod(base: &BigInt, exp: &BigInt, m: &BigInt) -> BigInt {
    debug_assert!(exp.sign() != Sign::Minus && !m.is_zero());
    let modulus = m.magnitude();
    let b = base
        .mod_floor(&BigInt::from(modulus.clone()))
        .into_parts()
        .1;
    let r = if modulus.bits() <= 64 * MAX_LIMBS as u64 {
        small_pow_mod(&b, exp.magnitude(), modulus)
    } else {
        b.modpow(exp.magnitude(), modulus)
    };
    if m.sign() == Sign::Minus && !r.is_zero() {
        BigInt::from(r) + m
    } else {
        BigInt::from(r)
    }
}

/// `b ** e % m` for `b < m` and `m` of at most [`MAX_LIMBS`] limbs.
fn small_pow_mod(b: &BigUint, e: &BigUint, m: &BigUint) -> BigUint {
    if m.is_one() {
        return BigUint::zero();
    }
    let n = m.iter_u64_digits().len();
    let modulus = limbs_of(m);
    if n == 1 {
        let r = pow_mod_u64(limbs_of(b)[0], e, modulus[0]);
        return BigUint::from(r);
    }
    let x = limbs_of(b);
    match n {
        2 => pow_limbs::<2>(&x, e, &modulus),
        3 => pow_limbs::<3>(&x, e, &modulus),
        _ => pow_limbs::<4>(&x, e, &modulus),
    }
}

/// `x ** e % m` for a modulus of exactly `N` limbs (`N >= 2`), square-and-multiply from
/// the exponent's top bit.
fn pow_limbs<const N: usize>(x: &Limbs, e: &BigUint, m: &Limbs) -> BigUint {
    let reducer = Reducer::<N>::new(m);
    let mut acc: Limbs = [0; MAX_LIMBS];
    acc[0] = 1;
    for i in (0..e.bits()).rev() {
        acc = reducer.mul(&acc, &acc);
        if e.bit(i) {
            acc = reducer.mul(&acc, x);
        }
    }
    from_limbs(&acc[..N])
}

/// `b ** e % m` in machine words (`b < m`, `m > 1`).
fn pow_mod_u64(b: u64, e: &BigUint, m: u64) -> u64 {
    let mul = |x: u64, y: u64| (x as u128 * y as u128 % m as u128) as u64;
    let mut acc = 1;
    for i in (0..e.bits()).rev() {
        acc = mul(acc, acc);
        if e.bit(i) {
            acc = mul(acc, b);
        }
    }
    acc
}

/// Multiplication modulo a modulus of `N` limbs (2 to [`MAX_LIMBS`]): the schoolbook
/// product, reduced by Knuth's division (algorithm D) against the modulus shifted so that
/// its top bit is set, keeping only the remainder. Each quotient limb is estimated with a
/// precomputed reciprocal of the divisor's top limb (Möller and Granlund, "Improved
/// division by invariant integers", 2011): a multiplication instead of a 128-bit division.
struct Reducer<const N: usize> {
    /// The modulus shifted left by `shift`.
    v: Limbs,
    /// The shift that sets the modulus's top bit.
    shift: u32,
    /// `floor((2**128 - 1) / v[N-1]) - 2**64`.
    reciprocal: u64,
}

impl<const N: usize> Reducer<N> {
    fn new(m: &Limbs) -> Self {
        let shift = m[N - 1].leading_zeros();
        let mut v = *m;
        shl_in_place(&mut v[..N], shift);
        let d = v[N - 1];
        let reciprocal = (((!d as u128) << 64 | u64::MAX as u128) / d as u128) as u64;
        Reducer {
            v,
            shift,
            reciprocal,
        }
    }

    /// `(u1 * 2**64 + u0) / d` and its remainder for the divisor's top limb `d`, given
    /// `u1 < d` (the quotient fits in a limb).
    #[inline(always)]
    fn div2by1(&self, u1: u64, u0: u64) -> (u64, u64) {
        let d = self.v[N - 1];
        let q = self.reciprocal as u128 * u1 as u128 + ((u1 as u128) << 64 | u0 as u128);
        let (mut q1, q0) = (((q >> 64) as u64).wrapping_add(1), q as u64);
        let mut r = u0.wrapping_sub(q1.wrapping_mul(d));
        if r > q0 {
            q1 = q1.wrapping_sub(1);
            r = r.wrapping_add(d);
        }
        if r >= d {
            q1 += 1;
            r -= d;
        }
        (q1, r)
    }

    /// `x * y % m` for `x, y < m`.
    fn mul(&self, x: &Limbs, y: &Limbs) -> Limbs {
        let n = N;
        // The product, shifted by `shift`, in 2n + 1 limbs.
        let mut u = [0u64; 2 * MAX_LIMBS + 1];
        for i in 0..n {
            let mut carry = 0u64;
            for j in 0..n {
                let t = x[i] as u128 * y[j] as u128 + u[i + j] as u128 + carry as u128;
                u[i + j] = t as u64;
                carry = (t >> 64) as u64;
            }
            u[i + n] = carry;
        }
        shl_in_place(&mut u[..=2 * n], self.shift);
        self.reduce(&mut u[..=2 * n]);
        let mut r: Limbs = [0; MAX_LIMBS];
        r[..n].copy_from_slice(&u[..n]);
        shr_in_place(&mut r[..n], self.shift);
        r
    }

    /// Leaves `u mod v` in `u[..N]` (algorithm D, Knuth TAOCP 4.3.1, without the quotient).
    fn reduce(&self, u: &mut [u64]) {
        let (v, n) = (&self.v[..N], N);
        let (vtop, vnext) = (v[n - 1], v[n - 2] as u128);
        for j in (0..u.len() - n).rev() {
            // The estimate from the top two limbs, corrected by the third: at most one too
            // large afterwards. The top limb is at most the divisor's (the part above `j`
            // is below the divisor); when equal, the estimate is the largest limb.
            let (mut q, mut r): (u64, u128) = if u[j + n] >= vtop {
                (u64::MAX, u[j + n - 1] as u128 + vtop as u128)
            } else {
                let (q, r) = self.div2by1(u[j + n], u[j + n - 1]);
                (q, r as u128)
            };
            while r >> 64 == 0 && q as u128 * vnext > (r << 64 | u[j + n - 2] as u128) {
                q -= 1;
                r += vtop as u128;
            }
            // u[j..=j+n] -= q * v
            let (mut carry, mut borrow) = (0u64, false);
            for i in 0..n {
                let p = q as u128 * v[i] as u128 + carry as u128;
                carry = (p >> 64) as u64;
                let (t, b1) = u[i + j].overflowing_sub(p as u64);
                let (t, b2) = t.overflowing_sub(borrow as u64);
                u[i + j] = t;
                borrow = b1 || b2;
            }
            let (t, b1) = u[j + n].overflowing_sub(carry);
            let (t, b2) = t.overflowing_sub(borrow as u64);
            u[j + n] = t;
            if b1 || b2 {
                // The estimate was one too large: add the divisor back.
                let mut c = false;
                for i in 0..n {
                    let (s, c1) = u[i + j].overflowing_add(v[i]);
                    let (s, c2) = s.overflowing_add(c as u64);
                    u[i + j] = s;
                    c = c1 || c2;
                }
                u[j + n] = u[j + n].wrapping_add(c as u64);
            }
        }
    }
}

/// Shifts the number in `x` left by `s < 64` bits (the top limb's high bits are lost).
fn shl_in_place(x: &mut [u64], s: u32) {
    if s == 0 {
        return;
    }
    for i in (1..x.len()).rev() {
        x[i] = x[i] << s | x[i - 1] >> (64 - s);
    }
    x[0] <<= s;
}

/// Shifts the number in `x` right by `s < 64` bits.
fn shr_in_place(x: &mut [u64], s: u32) {
    if s == 0 {
        return;
    }
    for i in 0..x.len() - 1 {
        x[i] = x[i] >> s | x[i + 1] << (64 - s);
    }
    let last = x.len() - 1;
    x[last] >>= s;
}

/// The limbs of `x` (at most [`MAX_LIMBS`] of them).
fn limbs_of(x: &BigUint) -> Limbs {
    let mut l: Limbs = [0; MAX_LIMBS];
    for (slot, d) in l.iter_mut().zip(x.iter_u64_digits()) {
        *slot = d;
    }
    l
}

/// The number whose limbs are `l`.
fn from_limbs(l: &[u64]) -> BigUint {
    let digits: Vec<u32> = l
        .iter()
        .flat_map(|&d| [d as u32, (d >> 32) as u32])
        .collect();
    BigUint::new(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic stream of test numbers (xorshift).
    struct Numbers(u64);

    impl Numbers {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        /// A number of `limbs` random limbs, sometimes with extreme limbs.
        fn big(&mut self, limbs: usize) -> BigInt {
            let digits: Vec<u32> = (0..limbs * 2)
                .map(|_| match self.next() % 7 {
                    0 => 0,
                    1 => u32::MAX,
                    _ => self.next() as u32,
                })
                .collect();
            BigInt::from(BigUint::new(digits))
        }
    }

    /// num-bigint's result with Python's sign rule, the reference for the fixed-size path.
    fn reference(b: &BigInt, e: &BigInt, m: &BigInt) -> BigInt {
        b.modpow(e, m).mod_floor(m)
    }

    #[test]
    fn agrees_with_num_bigint_on_every_width() {
        let mut g = Numbers(0x9e37_79b9_7f4a_7c15);
        for limbs in 1..=MAX_LIMBS + 1 {
            for k in 0..300 {
                let mut m = g.big(limbs);
                if m.is_zero() {
                    continue;
                }
                if k % 5 == 0 {
                    m = -m;
                }
                let mut b = g.big(limbs + k % 3);
                if k % 4 == 0 {
                    b = -b;
                }
                let e = BigInt::from(g.next() % 5000);
                assert_eq!(
                    pow_mod(&b, &e, &m),
                    reference(&b, &e, &m),
                    "pow({b}, {e}, {m})"
                );
            }
        }
    }

    #[test]
    fn edge_moduli_and_exponents() {
        let cases: [(i64, i64, i64); 8] = [
            (2, 0, -3),
            (5, 0, 1),
            (5, 3, -1),
            (-7, 3, 10),
            (0, 0, 7),
            (3, 1, -7),
            (-2, 5, -13),
            (10, 20, 1_000_000_007),
        ];
        for (b, e, m) in cases {
            let (b, e, m) = (BigInt::from(b), BigInt::from(e), BigInt::from(m));
            assert_eq!(pow_mod(&b, &e, &m), reference(&b, &e, &m), "{b} {e} {m}");
        }
        // 10**40 needs three limbs; a modulus of exactly 2**64 needs two.
        let m = BigInt::from(10).pow(40u32);
        for e in [0u32, 1, 2, 63, 64, 65, 29_999] {
            let e = BigInt::from(e);
            assert_eq!(
                pow_mod(&BigInt::from(3), &e, &m),
                reference(&BigInt::from(3), &e, &m)
            );
        }
        let m = BigInt::from(1u128 << 64);
        let b = BigInt::from(u64::MAX);
        assert_eq!(
            pow_mod(&b, &BigInt::from(7), &m),
            reference(&b, &BigInt::from(7), &m)
        );
    }
}
