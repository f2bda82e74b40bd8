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
    a.no_kwargs(vm, "perm")?;
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
    a.no_kwargs(vm, "comb")?;
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
    a.no_kwargs(vm, "gcd")?;
    let mut r = BigInt::zero();
    for v in a.pos {
        let x = to_index(vm, v)?;
        if !r.is_one() {
            r = r.gcd(&x);
        }
    }
    Ok(int_value(vm, r.abs()))
}

/// `math.lcm(*integers)`.
pub fn lcm(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "lcm")?;
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
