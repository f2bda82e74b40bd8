//! `math.fsum`: Shewchuk's exact summation with partials, rounded correctly at the end
//! (half-even across partials), with CPython's handling of infinities, NaNs and overflow.

/// Why an exact sum has no float result.
#[derive(Debug, PartialEq)]
pub enum FsumError {
    /// A finite partial sum overflowed (`OverflowError: intermediate overflow in fsum`).
    Overflow,
    /// Both infinities were summed (`ValueError: -inf + inf in fsum`).
    InfMinusInf,
}

/// The correctly rounded sum of `values`.
pub fn fsum(values: impl IntoIterator<Item = f64>) -> Result<f64, FsumError> {
    let mut p: Vec<f64> = Vec::with_capacity(32);
    let (mut special_sum, mut inf_sum) = (0.0f64, 0.0f64);
    for v in values {
        let mut x = v;
        let xsave = x;
        let mut i = 0;
        for j in 0..p.len() {
            let mut y = p[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let yr = hi - x;
            let lo = y - yr;
            if lo != 0.0 {
                p[i] = lo;
                i += 1;
            }
            x = hi;
        }
        p.truncate(i);
        if x != 0.0 {
            if !x.is_finite() {
                if xsave.is_finite() {
                    return Err(FsumError::Overflow);
                }
                if xsave.is_infinite() {
                    inf_sum += xsave;
                }
                special_sum += xsave;
                p.clear();
            } else {
                p.push(x);
            }
        }
    }
    if special_sum != 0.0 {
        if inf_sum.is_nan() {
            return Err(FsumError::InfMinusInf);
        }
        return Ok(special_sum);
    }
    let mut n = p.len();
    let mut hi = 0.0;
    if n > 0 {
        n -= 1;
        hi = p[n];
        let mut lo = 0.0;
        while n > 0 {
            let x = hi;
            n -= 1;
            let y = p[n];
            hi = x + y;
            let yr = hi - x;
            lo = y - yr;
            if lo != 0.0 {
                break;
            }
        }
        if n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            let yr = x - hi;
            if y == yr {
                hi = x;
            }
        }
    }
    Ok(hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_sums() {
        assert_eq!(fsum([0.1; 10]), Ok(1.0));
        assert_eq!(
            fsum([1e100, 1.0, -1e100, 1e-100, 1e50, -1.0, -1e50]),
            Ok(1e-100)
        );
        assert_eq!(fsum([1e-16, 1.0, 1e16]), Ok(10000000000000002.0));
        assert_eq!(fsum([]), Ok(0.0));
        assert_eq!(
            fsum([2.0f64.powi(53), 1.0, 2.0f64.powi(-100)]),
            Ok(9007199254740994.0)
        );
    }

    #[test]
    fn specials() {
        assert_eq!(fsum([f64::INFINITY, 1.0]), Ok(f64::INFINITY));
        assert_eq!(
            fsum([f64::INFINITY, f64::NEG_INFINITY]),
            Err(FsumError::InfMinusInf)
        );
        assert_eq!(fsum([1e308, 1e308]), Err(FsumError::Overflow));
        assert!(fsum([f64::NAN, 1.0]).unwrap().is_nan());
    }
}
