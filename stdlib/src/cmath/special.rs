//! C99 Annex G's values of the complex functions at infinities and NaNs, as CPython's
//! `cmathmodule.c` tabulates them: each table is indexed by the [`Kind`] of the real part,
//! then of the imaginary part. `U` marks entries the functions never read (finite
//! arguments, or cases computed in code instead).

use super::C;
use std::f64::consts::PI;

/// The class of a double that selects a table entry (CPython's `special_types`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// `-inf`.
    NegInf,
    /// A negative finite nonzero number.
    Neg,
    /// `-0.0`.
    NegZero,
    /// `+0.0`.
    PosZero,
    /// A positive finite nonzero number.
    Pos,
    /// `+inf`.
    PosInf,
    /// A NaN.
    Nan,
}

/// The [`Kind`] of `d`.
pub(super) fn kind(d: f64) -> Kind {
    let positive = d.is_sign_positive();
    if d.is_nan() {
        Kind::Nan
    } else if d.is_infinite() {
        if positive {
            Kind::PosInf
        } else {
            Kind::NegInf
        }
    } else if d == 0.0 {
        if positive {
            Kind::PosZero
        } else {
            Kind::NegZero
        }
    } else if positive {
        Kind::Pos
    } else {
        Kind::Neg
    }
}

/// A table of special values: `table[kind(re)][kind(im)]`.
pub(super) type Table = [[C; 7]; 7];

/// The entry of `table` for `z`.
pub(super) fn lookup(table: &Table, z: C) -> C {
    table[kind(z.0) as usize][kind(z.1) as usize]
}

/// Whether a part of `z` is infinite or NaN, so that its value comes from a table.
pub(super) fn is_special(z: C) -> bool {
    !z.0.is_finite() || !z.1.is_finite()
}

const P14: f64 = 0.25 * PI;
const P12: f64 = 0.5 * PI;
const P34: f64 = 0.75 * PI;
const INF: f64 = f64::INFINITY;
const N: f64 = f64::NAN;
/// An unlikely value for the entries never read (CPython's placeholder).
const U: f64 = -9.542_631_940_771_103e33;

/// `acos` of the non-finite values.
pub(super) const ACOS: Table = [
    [
        (P34, INF),
        (PI, INF),
        (PI, INF),
        (PI, -INF),
        (PI, -INF),
        (P34, -INF),
        (N, INF),
    ],
    [
        (P12, INF),
        (U, U),
        (U, U),
        (U, U),
        (U, U),
        (P12, -INF),
        (N, N),
    ],
    [
        (P12, INF),
        (U, U),
        (P12, 0.0),
        (P12, -0.0),
        (U, U),
        (P12, -INF),
        (P12, N),
    ],
    [
        (P12, INF),
        (U, U),
        (P12, 0.0),
        (P12, -0.0),
        (U, U),
        (P12, -INF),
        (P12, N),
    ],
    [
        (P12, INF),
        (U, U),
        (U, U),
        (U, U),
        (U, U),
        (P12, -INF),
        (N, N),
    ],
    [
        (P14, INF),
        (0.0, INF),
        (0.0, INF),
        (0.0, -INF),
        (0.0, -INF),
        (P14, -INF),
        (N, INF),
    ],
    [(N, INF), (N, N), (N, N), (N, N), (N, N), (N, -INF), (N, N)],
];

/// `acosh` of the non-finite values.
pub(super) const ACOSH: Table = [
    [
        (INF, -P34),
        (INF, -PI),
        (INF, -PI),
        (INF, PI),
        (INF, PI),
        (INF, P34),
        (INF, N),
    ],
    [
        (INF, -P12),
        (U, U),
        (U, U),
        (U, U),
        (U, U),
        (INF, P12),
        (N, N),
    ],
    [
        (INF, -P12),
        (U, U),
        (0.0, -P12),
        (0.0, P12),
        (U, U),
        (INF, P12),
        (N, N),
    ],
    [
        (INF, -P12),
        (U, U),
        (0.0, -P12),
        (0.0, P12),
        (U, U),
        (INF, P12),
        (N, N),
    ],
    [
        (INF, -P12),
        (U, U),
        (U, U),
        (U, U),
        (U, U),
        (INF, P12),
        (N, N),
    ],
    [
        (INF, -P14),
        (INF, -0.0),
        (INF, -0.0),
        (INF, 0.0),
        (INF, 0.0),
        (INF, P14),
        (INF, N),
    ],
    [(INF, N), (N, N), (N, N), (N, N), (N, N), (INF, N), (N, N)],
];

/// `asinh` of the non-finite values.
pub(super) const ASINH: Table = [
    [
        (-INF, -P14),
        (-INF, -0.0),
        (-INF, -0.0),
        (-INF, 0.0),
        (-INF, 0.0),
        (-INF, P14),
        (-INF, N),
    ],
    [
        (-INF, -P12),
        (U, U),
        (U, U),
        (U, U),
        (U, U),
        (-INF, P12),
        (N, N),
    ],
    [
        (-INF, -P12),
        (U, U),
        (-0.0, -0.0),
        (-0.0, 0.0),
        (U, U),
        (-INF, P12),
        (N, N),
    ],
    [
        (INF, -P12),
        (U, U),
        (0.0, -0.0),
        (0.0, 0.0),
        (U, U),
        (INF, P12),
        (N, N),
    ],
    [
        (INF, -P12),
        (U, U),
        (U, U),
        (U, U),
        (U, U),
        (INF, P12),
        (N, N),
    ],
    [
        (INF, -P14),
        (INF, -0.0),
        (INF, -0.0),
        (INF, 0.0),
        (INF, 0.0),
        (INF, P14),
        (INF, N),
    ],
    [
        (INF, N),
        (N, N),
        (N, -0.0),
        (N, 0.0),
        (N, N),
        (INF, N),
        (N, N),
    ],
];

/// `atanh` of the non-finite values.
pub(super) const ATANH: Table = [
    [
        (-0.0, -P12),
        (-0.0, -P12),
        (-0.0, -P12),
        (-0.0, P12),
        (-0.0, P12),
        (-0.0, P12),
        (-0.0, N),
    ],
    [
        (-0.0, -P12),
        (U, U),
        (U, U),
        (U, U),
        (U, U),
        (-0.0, P12),
        (N, N),
    ],
    [
        (-0.0, -P12),
        (U, U),
        (-0.0, -0.0),
        (-0.0, 0.0),
        (U, U),
        (-0.0, P12),
        (-0.0, N),
    ],
    [
        (0.0, -P12),
        (U, U),
        (0.0, -0.0),
        (0.0, 0.0),
        (U, U),
        (0.0, P12),
        (0.0, N),
    ],
    [
        (0.0, -P12),
        (U, U),
        (U, U),
        (U, U),
        (U, U),
        (0.0, P12),
        (N, N),
    ],
    [
        (0.0, -P12),
        (0.0, -P12),
        (0.0, -P12),
        (0.0, P12),
        (0.0, P12),
        (0.0, P12),
        (0.0, N),
    ],
    [
        (0.0, -P12),
        (N, N),
        (N, N),
        (N, N),
        (N, N),
        (0.0, P12),
        (N, N),
    ],
];

/// `cosh` of the non-finite values.
pub(super) const COSH: Table = [
    [
        (INF, N),
        (U, U),
        (INF, 0.0),
        (INF, -0.0),
        (U, U),
        (INF, N),
        (INF, N),
    ],
    [(N, N), (U, U), (U, U), (U, U), (U, U), (N, N), (N, N)],
    [
        (N, 0.0),
        (U, U),
        (1.0, 0.0),
        (1.0, -0.0),
        (U, U),
        (N, 0.0),
        (N, 0.0),
    ],
    [
        (N, 0.0),
        (U, U),
        (1.0, -0.0),
        (1.0, 0.0),
        (U, U),
        (N, 0.0),
        (N, 0.0),
    ],
    [(N, N), (U, U), (U, U), (U, U), (U, U), (N, N), (N, N)],
    [
        (INF, N),
        (U, U),
        (INF, -0.0),
        (INF, 0.0),
        (U, U),
        (INF, N),
        (INF, N),
    ],
    [(N, N), (N, N), (N, 0.0), (N, 0.0), (N, N), (N, N), (N, N)],
];

/// `exp` of the non-finite values.
pub(super) const EXP: Table = [
    [
        (0.0, 0.0),
        (U, U),
        (0.0, -0.0),
        (0.0, 0.0),
        (U, U),
        (0.0, 0.0),
        (0.0, 0.0),
    ],
    [(N, N), (U, U), (U, U), (U, U), (U, U), (N, N), (N, N)],
    [
        (N, N),
        (U, U),
        (1.0, -0.0),
        (1.0, 0.0),
        (U, U),
        (N, N),
        (N, N),
    ],
    [
        (N, N),
        (U, U),
        (1.0, -0.0),
        (1.0, 0.0),
        (U, U),
        (N, N),
        (N, N),
    ],
    [(N, N), (U, U), (U, U), (U, U), (U, U), (N, N), (N, N)],
    [
        (INF, N),
        (U, U),
        (INF, -0.0),
        (INF, 0.0),
        (U, U),
        (INF, N),
        (INF, N),
    ],
    [(N, N), (N, N), (N, -0.0), (N, 0.0), (N, N), (N, N), (N, N)],
];

/// `log` of the non-finite values.
pub(super) const LOG: Table = [
    [
        (INF, -P34),
        (INF, -PI),
        (INF, -PI),
        (INF, PI),
        (INF, PI),
        (INF, P34),
        (INF, N),
    ],
    [
        (INF, -P12),
        (U, U),
        (U, U),
        (U, U),
        (U, U),
        (INF, P12),
        (N, N),
    ],
    [
        (INF, -P12),
        (U, U),
        (-INF, -PI),
        (-INF, PI),
        (U, U),
        (INF, P12),
        (N, N),
    ],
    [
        (INF, -P12),
        (U, U),
        (-INF, -0.0),
        (-INF, 0.0),
        (U, U),
        (INF, P12),
        (N, N),
    ],
    [
        (INF, -P12),
        (U, U),
        (U, U),
        (U, U),
        (U, U),
        (INF, P12),
        (N, N),
    ],
    [
        (INF, -P14),
        (INF, -0.0),
        (INF, -0.0),
        (INF, 0.0),
        (INF, 0.0),
        (INF, P14),
        (INF, N),
    ],
    [(INF, N), (N, N), (N, N), (N, N), (N, N), (INF, N), (N, N)],
];

/// `sinh` of the non-finite values.
pub(super) const SINH: Table = [
    [
        (INF, N),
        (U, U),
        (-INF, -0.0),
        (-INF, 0.0),
        (U, U),
        (INF, N),
        (INF, N),
    ],
    [(N, N), (U, U), (U, U), (U, U), (U, U), (N, N), (N, N)],
    [
        (0.0, N),
        (U, U),
        (-0.0, -0.0),
        (-0.0, 0.0),
        (U, U),
        (0.0, N),
        (0.0, N),
    ],
    [
        (0.0, N),
        (U, U),
        (0.0, -0.0),
        (0.0, 0.0),
        (U, U),
        (0.0, N),
        (0.0, N),
    ],
    [(N, N), (U, U), (U, U), (U, U), (U, U), (N, N), (N, N)],
    [
        (INF, N),
        (U, U),
        (INF, -0.0),
        (INF, 0.0),
        (U, U),
        (INF, N),
        (INF, N),
    ],
    [(N, N), (N, N), (N, -0.0), (N, 0.0), (N, N), (N, N), (N, N)],
];

/// `sqrt` of the non-finite values.
pub(super) const SQRT: Table = [
    [
        (INF, -INF),
        (0.0, -INF),
        (0.0, -INF),
        (0.0, INF),
        (0.0, INF),
        (INF, INF),
        (N, INF),
    ],
    [
        (INF, -INF),
        (U, U),
        (U, U),
        (U, U),
        (U, U),
        (INF, INF),
        (N, N),
    ],
    [
        (INF, -INF),
        (U, U),
        (0.0, -0.0),
        (0.0, 0.0),
        (U, U),
        (INF, INF),
        (N, N),
    ],
    [
        (INF, -INF),
        (U, U),
        (0.0, -0.0),
        (0.0, 0.0),
        (U, U),
        (INF, INF),
        (N, N),
    ],
    [
        (INF, -INF),
        (U, U),
        (U, U),
        (U, U),
        (U, U),
        (INF, INF),
        (N, N),
    ],
    [
        (INF, -INF),
        (INF, -0.0),
        (INF, -0.0),
        (INF, 0.0),
        (INF, 0.0),
        (INF, INF),
        (INF, N),
    ],
    [
        (INF, -INF),
        (N, N),
        (N, N),
        (N, N),
        (N, N),
        (INF, INF),
        (N, N),
    ],
];

/// `tanh` of the non-finite values.
pub(super) const TANH: Table = [
    [
        (-1.0, 0.0),
        (U, U),
        (-1.0, -0.0),
        (-1.0, 0.0),
        (U, U),
        (-1.0, 0.0),
        (-1.0, 0.0),
    ],
    [(N, N), (U, U), (U, U), (U, U), (U, U), (N, N), (N, N)],
    [
        (N, N),
        (U, U),
        (-0.0, -0.0),
        (-0.0, 0.0),
        (U, U),
        (N, N),
        (N, N),
    ],
    [
        (N, N),
        (U, U),
        (0.0, -0.0),
        (0.0, 0.0),
        (U, U),
        (N, N),
        (N, N),
    ],
    [(N, N), (U, U), (U, U), (U, U), (U, U), (N, N), (N, N)],
    [
        (1.0, 0.0),
        (U, U),
        (1.0, -0.0),
        (1.0, 0.0),
        (U, U),
        (1.0, 0.0),
        (1.0, 0.0),
    ],
    [(N, N), (N, N), (N, -0.0), (N, 0.0), (N, N), (N, N), (N, N)],
];

/// `rect` of the non-finite values.
pub(super) const RECT: Table = [
    [
        (INF, N),
        (U, U),
        (-INF, 0.0),
        (-INF, -0.0),
        (U, U),
        (INF, N),
        (INF, N),
    ],
    [(N, N), (U, U), (U, U), (U, U), (U, U), (N, N), (N, N)],
    [
        (0.0, 0.0),
        (U, U),
        (-0.0, 0.0),
        (-0.0, -0.0),
        (U, U),
        (0.0, 0.0),
        (0.0, 0.0),
    ],
    [
        (0.0, 0.0),
        (U, U),
        (0.0, -0.0),
        (0.0, 0.0),
        (U, U),
        (0.0, 0.0),
        (0.0, 0.0),
    ],
    [(N, N), (U, U), (U, U), (U, U), (U, U), (N, N), (N, N)],
    [
        (INF, N),
        (U, U),
        (INF, -0.0),
        (INF, 0.0),
        (U, U),
        (INF, N),
        (INF, N),
    ],
    [(N, N), (N, N), (N, 0.0), (N, 0.0), (N, N), (N, N), (N, N)],
];
