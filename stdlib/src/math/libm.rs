//! The platform C math library, called directly where CPython calls it, so that results
//! agree with CPython's to the last bit (Rust's own `asinh`/`acosh`/`atanh` differ from libm).

#[allow(missing_docs)]
extern "C" {
    pub fn sin(x: f64) -> f64;
    pub fn cos(x: f64) -> f64;
    pub fn tan(x: f64) -> f64;
    pub fn asin(x: f64) -> f64;
    pub fn acos(x: f64) -> f64;
    pub fn atan(x: f64) -> f64;
    pub fn atan2(y: f64, x: f64) -> f64;
    pub fn hypot(x: f64, y: f64) -> f64;
    pub fn sinh(x: f64) -> f64;
    pub fn cosh(x: f64) -> f64;
    pub fn tanh(x: f64) -> f64;
    pub fn asinh(x: f64) -> f64;
    pub fn acosh(x: f64) -> f64;
    pub fn atanh(x: f64) -> f64;
    pub fn exp(x: f64) -> f64;
    pub fn exp2(x: f64) -> f64;
    pub fn expm1(x: f64) -> f64;
    pub fn log(x: f64) -> f64;
    pub fn log2(x: f64) -> f64;
    pub fn log10(x: f64) -> f64;
    pub fn log1p(x: f64) -> f64;
    pub fn pow(x: f64, y: f64) -> f64;
    pub fn sqrt(x: f64) -> f64;
    pub fn erf(x: f64) -> f64;
    pub fn erfc(x: f64) -> f64;
    pub fn fmod(x: f64, y: f64) -> f64;
    pub fn frexp(x: f64, e: *mut i32) -> f64;
    pub fn ldexp(x: f64, e: i32) -> f64;
    pub fn modf(x: f64, ip: *mut f64) -> f64;
    pub fn nextafter(x: f64, y: f64) -> f64;
    pub fn floor(x: f64) -> f64;
    pub fn round(x: f64) -> f64;
}

macro_rules! safe1 {
    ($($name:ident),*) => {
        $(
            #[doc = concat!("libm `", stringify!($name), "`.")]
            #[inline]
            pub fn $name(x: f64) -> f64 {
                // SAFETY: a pure libm function of one double.
                unsafe { ffi::$name(x) }
            }
        )*
    };
}

/// Safe wrappers over the libm functions.
pub mod safe {
    use super as ffi;
    safe1!(
        sin, cos, tan, asin, acos, atan, sinh, cosh, tanh, asinh, acosh, atanh, exp, exp2, expm1,
        log, log2, log10, log1p, sqrt, erf, erfc, floor, round
    );

    /// The C library's `cbrt`, looked up at run time: Rust's runtime carries its own `cbrt`
    /// that the linker prefers, and it differs from glibc's in the last bit.
    pub fn cbrt(x: f64) -> f64 {
        type F = unsafe extern "C" fn(f64) -> f64;
        static CBRT: std::sync::OnceLock<Option<F>> = std::sync::OnceLock::new();
        let f = CBRT.get_or_init(|| {
            // SAFETY: dlopen/dlsym with NUL-terminated names; the symbol has this signature.
            unsafe {
                let h = libc::dlopen(c"libm.so.6".as_ptr(), libc::RTLD_LAZY);
                if h.is_null() {
                    return None;
                }
                let p = libc::dlsym(h, c"cbrt".as_ptr());
                if p.is_null() {
                    None
                } else {
                    Some(std::mem::transmute::<*mut libc::c_void, F>(p))
                }
            }
        });
        match f {
            // SAFETY: a pure libm function.
            Some(f) => unsafe { f(x) },
            None => x.cbrt(),
        }
    }

    /// libm `atan2`.
    pub fn atan2(y: f64, x: f64) -> f64 {
        // SAFETY: pure libm function.
        unsafe { ffi::atan2(y, x) }
    }

    /// libm `atan2`, and whether it reported a range error in `errno` (glibc does when the
    /// result underflows to zero), which CPython's `cmath.phase` checks.
    pub fn atan2_errno(y: f64, x: f64) -> (f64, bool) {
        let errno = errno_location();
        // SAFETY: `errno` is this thread's errno; atan2 is a pure libm function.
        unsafe {
            *errno = 0;
            let r = ffi::atan2(y, x);
            (r, *errno == libc::ERANGE)
        }
    }

    #[cfg(any(target_os = "linux", target_os = "android"))]
    fn errno_location() -> *mut i32 {
        // SAFETY: returns the calling thread's errno address.
        unsafe { libc::__errno_location() }
    }

    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    fn errno_location() -> *mut i32 {
        // SAFETY: returns the calling thread's errno address.
        unsafe { libc::__error() }
    }

    /// libm `hypot`.
    pub fn hypot(x: f64, y: f64) -> f64 {
        // SAFETY: pure libm function.
        unsafe { ffi::hypot(x, y) }
    }

    /// libm `pow`.
    pub fn pow(x: f64, y: f64) -> f64 {
        // SAFETY: pure libm function.
        unsafe { ffi::pow(x, y) }
    }

    /// libm `fmod`.
    pub fn fmod(x: f64, y: f64) -> f64 {
        // SAFETY: pure libm function.
        unsafe { ffi::fmod(x, y) }
    }

    /// libm `nextafter`.
    pub fn nextafter(x: f64, y: f64) -> f64 {
        // SAFETY: pure libm function.
        unsafe { ffi::nextafter(x, y) }
    }

    /// libm `ldexp`.
    pub fn ldexp(x: f64, e: i32) -> f64 {
        // SAFETY: pure libm function.
        unsafe { ffi::ldexp(x, e) }
    }

    /// libm `frexp`: (mantissa, exponent).
    pub fn frexp(x: f64) -> (f64, i32) {
        let mut e = 0;
        // SAFETY: `e` is a valid out-pointer.
        let m = unsafe { ffi::frexp(x, &mut e) };
        (m, e)
    }

    /// libm `modf`: (fractional part, integral part).
    pub fn modf(x: f64) -> (f64, f64) {
        let mut ip = 0.0;
        // SAFETY: `ip` is a valid out-pointer.
        let f = unsafe { ffi::modf(x, &mut ip) };
        (f, ip)
    }
}
