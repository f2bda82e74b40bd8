//! The integer functions of `math`: `factorial`, `comb`, `perm`, `isqrt`, `gcd`, `lcm`, on
//! big ints, with CPython's errors.

use aio_vm::module::{int_value, to_index};
use aio_vm::native::Args;
use aio_vm::{PyResult, Value, Vm};
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};

/// The product of the integers in `lo..hi`, split in halves so big multiplications balance.
fn range_product(lo: u64, hi: u64) -> BigInt {
    if hi <= lo {
        return BigInt::one();
    }
    if hi - lo <= 16 {
        let mut r = BigInt::one();
        let mut acc: u128 = 1;
        for i in lo..hi {
            match acc.checked_mul(i as u128) {
                Some(a) if a < (1u128 << 100) => acc = a,
                _ => {
                    r *= acc;
                    acc = i as u128;
                }
            }
        }
        return r * acc;
    }
    let mid = lo + (hi - lo) / 2;
    range_product(lo, mid) * range_product(mid, hi)
}

/// n! for a non-negative n.
pub fn factorial_of(n: u64) -> BigInt {
    range_product(2, n + 1)
}

/// `math.factorial(n)`.
pub fn factorial(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "math.factorial")?;
    a.check_count(vm, "math.factorial", 1, 1)?;
    factorial_value(vm, &a.pos[0])
}

fn factorial_value(vm: &mut Vm, v: &Value) -> PyResult {
    let n = to_index(vm, v)?;
    if n.is_negative() {
        return Err(vm.new_value_error("factorial() not defined for negative values"));
    }
    let Some(n) = n.to_i64() else {
        return Err(vm.new_overflow_error(format!(
            "factorial() argument should not exceed {}",
            i64::MAX
        )));
    };
    Ok(int_value(vm, factorial_of(n as u64)))
}

/// Reads `n` and `k` as non-negative ints with CPython's messages.
fn n_and_k(vm: &mut Vm, a: &Args, fname: &str) -> PyResult<(BigInt, BigInt)> {
    let n = to_index(vm, &a.pos[0])?;
    let k = to_index(vm, &a.pos[1])?;
    if n.is_negative() {
        return Err(vm.new_value_error("n must be a non-negative integer"));
    }
    if k.is_negative() {
        return Err(vm.new_value_error("k must be a non-negative integer"));
    }
    let _ = fname;
    Ok((n, k))
}

/// n * (n-1) * ... * (n-k+1).
fn falling(n: &BigInt, k: u64) -> BigInt {
    if k == 0 {
        return BigInt::one();
    }
    if k == 1 {
        return n.clone();
    }
    let j = k / 2;
    let left = falling(n, j);
    let right = falling(&(n - BigInt::from(j)), k - j);
    left * right
}

/// `math.perm(n, k=None)`.
pub fn perm(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "math.perm")?;
    a.check_count(vm, "perm", 1, 2)?;
    if a.len() == 1 || a.pos[1].is_none() {
        return factorial_value(vm, &a.pos[0]);
    }
    let (n, k) = n_and_k(vm, &a, "perm")?;
    if n < k {
        return Ok(Value::Int(0));
    }
    let Some(k) = k.to_u64().filter(|k| *k <= i64::MAX as u64) else {
        return Err(vm.new_overflow_error(format!("k must not exceed {}", i64::MAX)));
    };
    Ok(int_value(vm, falling(&n, k)))
}

/// `math.comb(n, k)`.
pub fn comb(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "math.comb")?;
    a.check_count(vm, "comb", 2, 2)?;
    let (n, k) = n_and_k(vm, &a, "comb")?;
    if n < k {
        return Ok(Value::Int(0));
    }
    let nk = &n - &k;
    let k = if nk < k { nk } else { k };
    let Some(k) = k.to_u64().filter(|k| *k <= i64::MAX as u64) else {
        return Err(vm.new_overflow_error(format!("min(n - k, k) must not exceed {}", i64::MAX)));
    };
    let r = falling(&n, k) / factorial_of(k);
    Ok(int_value(vm, r))
}

/// `math.isqrt(n)`.
pub fn isqrt(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "math.isqrt")?;
    a.check_count(vm, "math.isqrt", 1, 1)?;
    let n = to_index(vm, &a.pos[0])?;
    if n.is_negative() {
        return Err(vm.new_value_error("isqrt() argument must be nonnegative"));
    }
    Ok(int_value(vm, n.sqrt()))
}

/// `math.gcd(*integers)`.
pub fn gcd(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "math.gcd")?;
    // Machine-word arguments (the common case) never build a big int.
    let mut small = 0u64;
    if a.pos.iter().all(|v| match v {
        Value::Int(i) => {
            small = gcd_u64(small, i.unsigned_abs());
            true
        }
        _ => false,
    }) {
        return Ok(int_value(vm, BigInt::from(small)));
    }
    let mut r = BigInt::zero();
    for v in a.pos {
        let x = to_index(vm, v)?;
        if !r.is_one() {
            r = gcd_big(&r, &x);
        }
    }
    Ok(int_value(vm, r))
}

/// Stein's binary gcd of two machine words.
fn gcd_u64(mut a: u64, mut b: u64) -> u64 {
    if a == 0 {
        return b;
    }
    if b == 0 {
        return a;
    }
    let shift = (a | b).trailing_zeros();
    a >>= a.trailing_zeros();
    loop {
        b >>= b.trailing_zeros();
        if a > b {
            std::mem::swap(&mut a, &mut b);
        }
        b -= a;
        if b == 0 {
            return a << shift;
        }
    }
}

/// The non-negative gcd of two big ints by Lehmer's algorithm (Knuth's Algorithm L, as
/// CPython's `_PyLong_GCD`): each step reduces both numbers by up to 63 bits with the
/// cofactors computed on their leading bits, where `num-integer`'s binary gcd shifts the
/// whole numbers once per bit.
fn gcd_big(a: &BigInt, b: &BigInt) -> BigInt {
    let (a, b) = (a.magnitude(), b.magnitude());
    let (mut u, mut v) = if a >= b {
        (a.clone(), b.clone())
    } else {
        (b.clone(), a.clone())
    };
    while v.bits() > 64 {
        let shift = u.bits() - 63;
        let mut x = (&u >> shift).to_u64().expect("63 bits") as i128;
        let mut y = (&v >> shift).to_u64().expect("63 bits") as i128;
        let (mut ca, mut cb, mut cc, mut cd) = (1i128, 0i128, 0i128, 1i128);
        loop {
            if y + cc == 0 || y + cd == 0 {
                break;
            }
            let q = (x + ca) / (y + cc);
            if q != (x + cb) / (y + cd) {
                break;
            }
            (ca, cc) = (cc, ca - q * cc);
            (cb, cd) = (cd, cb - q * cd);
            (x, y) = (y, x - q * y);
        }
        if cb == 0 {
            let r = &u % &v;
            u = v;
            v = r;
        } else {
            let (bu, bv) = (BigInt::from(u), BigInt::from(v));
            let nu = BigInt::from(ca) * &bu + BigInt::from(cb) * &bv;
            let nv = BigInt::from(cc) * &bu + BigInt::from(cd) * &bv;
            u = nu.into_parts().1;
            v = nv.into_parts().1;
        }
    }
    let w = v.to_u64().expect("64 bits");
    if w == 0 {
        return BigInt::from(u);
    }
    let r = (&u % w).to_u64().expect("below a u64");
    BigInt::from(gcd_u64(w, r))
}

/// `math.lcm(*integers)`.
pub fn lcm(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "math.lcm")?;
    let mut r = BigInt::one();
    for v in a.pos {
        let x = to_index(vm, v)?;
        if !r.is_zero() {
            r = if x.is_zero() { x } else { r.lcm(&x) };
        }
    }
    Ok(int_value(vm, r.abs()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gcds_agree_with_euclid() {
        fn euclid(a: &BigInt, b: &BigInt) -> BigInt {
            let (mut a, mut b) = (a.abs(), b.abs());
            while !b.is_zero() {
                let r = &a % &b;
                a = b;
                b = r;
            }
            a
        }
        assert_eq!(gcd_u64(0, 0), 0);
        assert_eq!(gcd_u64(12, 18), 6);
        assert_eq!(gcd_u64(u64::MAX, 0), u64::MAX);
        let mut x = BigInt::from(3u8);
        let mut y = BigInt::from(5u8);
        for i in 1u32..400 {
            x = &x * 1_000_003u64 + i * 7;
            y = &y * 999_983u64 + i;
            let g = BigInt::from(2u8).pow(i % 90) * BigInt::from(12345u32).pow(i % 7);
            for (a, b) in [
                (&x * &g, &y * &g),
                (x.clone(), -&y),
                (&x * &g, g.clone()),
                (x.clone(), BigInt::zero()),
            ] {
                assert_eq!(gcd_big(&a, &b), euclid(&a, &b), "{a} {b}");
                assert_eq!(gcd_big(&b, &a), euclid(&a, &b));
            }
        }
    }

    #[test]
    fn factorials() {
        assert_eq!(factorial_of(0), BigInt::one());
        assert_eq!(factorial_of(20), BigInt::from(2432902008176640000u64));
        let f100 = factorial_of(100).to_string();
        assert!(f100.starts_with("93326215443944152681"));
        assert_eq!(f100.len(), 158);
    }

    #[test]
    fn falling_products() {
        assert_eq!(falling(&BigInt::from(10), 3), BigInt::from(720));
        assert_eq!(falling(&BigInt::from(5), 0), BigInt::one());
    }
}
