//! `%`-formatting (`'%5.2f' % x`): CPython's `PyUnicode_Format`, step by step, with the
//! arguments supplied through the [`PercentArgs`] trait.

use num_bigint::BigInt;
use num_traits::ToPrimitive;

use super::float_repr::{double_to_string, FloatFlags, FloatStyle};
use super::number::{char_from_code, Int};
use super::{with_room, FormatError};

/// The shape of the right operand of `%`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PercentShape {
    /// A tuple (or tuple subclass) of this many items: each conversion takes the next item.
    Tuple(usize),
    /// Any other object: the first conversion takes the object itself.
    Single,
}

/// An integer handed over by [`PercentArgs`]: small or big.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IntArg {
    /// A value that fits in an `i64`.
    Small(i64),
    /// Any value.
    Big(BigInt),
}

impl IntArg {
    fn as_int(&self) -> Int<'_> {
        match self {
            IntArg::Small(v) => Int::Small(*v),
            IntArg::Big(b) => Int::Big(b),
        }
    }
}

/// What [`percent_format`] needs from the right operand of `%` and from its items.
///
/// The formatter owns the bookkeeping (which item comes next, the "not enough" / "not all
/// converted" checks, `%(key)` parsing) and writes CPython's messages; the implementation
/// answers questions about Python objects. An [`Arg`](PercentArgs::Arg) is whatever handle
/// the implementation likes (a VM value, an index); each one is asked for at most once.
///
/// Conversions that return `Ok(None)` mean "wrong type": the formatter raises CPython's
/// `TypeError` for it. Errors returned by the implementation (`KeyError`, an exception
/// raised by `__str__`, `OverflowError: cannot convert float infinity to integer`) are
/// passed through unchanged; the formatter's own errors reach the caller through
/// `From<FormatError>`.
pub trait PercentArgs {
    /// A handle to one argument.
    type Arg;
    /// The caller's error type.
    type Error: From<FormatError>;

    /// The right operand's shape: a tuple of n items, or a single object.
    fn shape(&self) -> PercentShape;
    /// Whether `%(key)s` may look keys up in the right operand: CPython's
    /// `PyMapping_Check(args) && !PyTuple_Check(args) && !PyUnicode_Check(args)`, i.e. the
    /// operand has `__getitem__` and is not a tuple or a str (a list counts). When it is, a
    /// format that converts nothing is not an error (`'x' % {}` is `'x'`).
    fn is_mapping(&self) -> bool;
    /// Item `index` of the tuple operand (`index` < the tuple's length).
    fn item(&mut self, index: usize) -> Self::Arg;
    /// The operand itself, when its shape is [`PercentShape::Single`].
    fn whole(&mut self) -> Self::Arg;
    /// `operand[key]` for `%(key)s` (only called when [`is_mapping`](Self::is_mapping)).
    fn lookup(&mut self, key: &str) -> Result<Self::Arg, Self::Error>;

    /// The name of the argument's type (`"str"`), for error messages.
    fn type_name(&mut self, arg: &Self::Arg) -> String;
    /// `str(arg)`, for `%s`.
    fn str(&mut self, arg: &Self::Arg) -> Result<String, Self::Error>;
    /// `repr(arg)`, for `%r`.
    fn repr(&mut self, arg: &Self::Arg) -> Result<String, Self::Error>;
    /// `ascii(arg)`, for `%a`.
    fn ascii(&mut self, arg: &Self::Arg) -> Result<String, Self::Error>;
    /// The value of an int (or int subclass, `bool` included) argument, else `None`; for
    /// the `*` width and precision, which take ints only.
    fn exact_int(&mut self, arg: &Self::Arg) -> Option<IntArg>;
    /// The integer for `%d %i %u` (`index_only` false) or `%o %x %X %c` (`index_only`
    /// true). An int is itself. Otherwise, with `index_only`, `operator.index(arg)`;
    /// without, `int(arg)` if `arg` is a number (has `__index__`, `__int__` or `__float__`,
    /// or is complex). `Ok(None)` if `arg` is not a number or the conversion raises
    /// `TypeError`; other errors (`int(float('inf'))`'s `OverflowError`) are returned.
    fn to_int(&mut self, arg: &Self::Arg, index_only: bool) -> Result<Option<IntArg>, Self::Error>;
    /// `float(arg)` as CPython's `PyFloat_AsDouble` (via `__float__` or `__index__`), for
    /// `%e %f %g`. `Ok(None)` if `arg` has neither; other errors (an int too large to
    /// convert) are returned.
    fn to_float(&mut self, arg: &Self::Arg) -> Result<Option<f64>, Self::Error>;
    /// The text of a str (or str subclass) argument, else `None`; for `%c`.
    fn as_str(&mut self, arg: &Self::Arg) -> Option<String>;
    /// True when formatting bytes: `%b` is then `%s`.
    fn bytes_mode(&self) -> bool {
        false
    }
}

const F_LJUST: u8 = 1;
const F_SIGN: u8 = 2;
const F_BLANK: u8 = 4;
const F_ALT: u8 = 8;
const F_ZERO: u8 = 16;

/// `fmt % args`: CPython 3.11's `%`-formatting. Conversions `d i u o x X e E f F g G c r s a
/// %`, flags `-+ #0`, width and precision (both may be `*`), `%(key)` lookups, and the
/// ignored length modifiers `h l L`.
pub fn percent_format<A: PercentArgs>(fmt: &str, args: &mut A) -> Result<String, A::Error> {
    let shape = args.shape();
    let (arglen, argidx) = match shape {
        PercentShape::Tuple(n) => (n as isize, 0),
        PercentShape::Single => (-1, -2),
    };
    let mut ctx = PercentState {
        chars: FmtChars::new(fmt),
        cnt: 0,
        pos: 0,
        arglen,
        argidx,
        dict: args.is_mapping() && shape == PercentShape::Single,
        looked_up: None,
        out: String::with_capacity(fmt.len() + 100),
        args,
    };
    ctx.cnt = ctx.chars.len() as isize;
    ctx.run()?;
    Ok(ctx.out)
}

/// The format's characters, indexed by position as CPython indexes them: an ASCII format
/// (nearly all) is read in place, any other is decoded once.
enum FmtChars<'a> {
    /// An ASCII format: one byte per character.
    Ascii(&'a str),
    /// Any other format, decoded.
    Wide(Vec<char>),
}

impl<'a> FmtChars<'a> {
    fn new(fmt: &'a str) -> FmtChars<'a> {
        if fmt.is_ascii() {
            FmtChars::Ascii(fmt)
        } else {
            FmtChars::Wide(fmt.chars().collect())
        }
    }

    fn len(&self) -> usize {
        match self {
            FmtChars::Ascii(s) => s.len(),
            FmtChars::Wide(c) => c.len(),
        }
    }

    /// The character at `pos`; `'\0'` past the end (CPython reads the terminator).
    #[inline]
    fn get(&self, pos: usize) -> char {
        match self {
            FmtChars::Ascii(s) => s.as_bytes().get(pos).map_or('\0', |&b| b as char),
            FmtChars::Wide(c) => c.get(pos).copied().unwrap_or('\0'),
        }
    }

    /// Appends the characters `start..end` to `out`.
    fn copy_to(&self, out: &mut String, start: usize, end: usize) {
        match self {
            FmtChars::Ascii(s) => out.push_str(&s[start..end]),
            FmtChars::Wide(c) => out.extend(&c[start..end]),
        }
    }
}

/// One conversion specifier being parsed (CPython's `unicode_format_arg_t`).
struct Spec {
    ch: char,
    flags: u8,
    width: isize,
    prec: i64,
    sign: bool,
}

/// CPython's `unicode_formatter_t`, with its `fmtcnt`/`fmtpos` arithmetic kept as is so that
/// the corner cases (`'%'`, `'%(a'`, `'%.'`) fail as they do there.
struct PercentState<'a, A: PercentArgs> {
    chars: FmtChars<'a>,
    cnt: isize,
    pos: usize,
    arglen: isize,
    argidx: isize,
    dict: bool,
    /// The value of the last `%(key)` lookup, which replaces the operand.
    looked_up: Option<A::Arg>,
    out: String,
    args: &'a mut A,
}

impl<A: PercentArgs> PercentState<'_, A> {
    /// The character at `pos`; `'\0'` past the end (CPython reads the terminator).
    fn read(&self) -> char {
        self.chars.get(self.pos)
    }

    /// CPython's `--fmtcnt >= 0`.
    fn step(&mut self) -> bool {
        self.cnt -= 1;
        self.cnt >= 0
    }

    /// Reads the next character into `spec.ch` if there is one.
    fn advance(&mut self, spec: &mut Spec) {
        if self.step() {
            spec.ch = self.read();
            self.pos += 1;
        }
    }

    fn run(&mut self) -> Result<(), A::Error> {
        while self.step() {
            if self.read() != '%' {
                let start = self.pos;
                self.pos += 1;
                while self.cnt >= 0 && self.read() != '%' {
                    self.pos += 1;
                    self.cnt -= 1;
                }
                if self.cnt < 0 {
                    self.pos -= 1;
                }
                self.chars.copy_to(&mut self.out, start, self.pos);
            } else {
                self.pos += 1;
                self.format_arg()?;
            }
        }
        if self.argidx < self.arglen && !self.dict {
            return Err(not_all_converted().into());
        }
        Ok(())
    }

    fn next_arg(&mut self) -> Result<A::Arg, FormatError> {
        if self.argidx < self.arglen {
            let idx = self.argidx;
            self.argidx += 1;
            if self.arglen < 0 {
                if let Some(arg) = self.looked_up.take() {
                    return Ok(arg);
                }
                return Ok(self.args.whole());
            }
            return Ok(self.args.item(idx as usize));
        }
        Err(FormatError::Type(
            "not enough arguments for format string".into(),
        ))
    }

    fn format_arg(&mut self) -> Result<(), A::Error> {
        let ch = self.read();
        if ch == '%' {
            self.pos += 1;
            self.cnt -= 1;
            self.out.push('%');
            return Ok(());
        }
        let mut spec = Spec {
            ch,
            flags: 0,
            width: -1,
            prec: -1,
            sign: false,
        };
        self.parse(&mut spec)?;
        if let Some(text) = self.convert(&mut spec)? {
            self.output(&mut spec, &text)?;
        }
        if self.dict && self.argidx < self.arglen {
            return Err(not_all_converted().into());
        }
        Ok(())
    }

    /// Flags, width and precision (CPython's `unicode_format_arg_parse`).
    fn parse(&mut self, spec: &mut Spec) -> Result<(), A::Error> {
        if spec.ch == '(' {
            if !self.dict {
                return Err(FormatError::Type("format requires a mapping".into()).into());
            }
            self.pos += 1;
            self.cnt -= 1;
            let keystart = self.pos;
            let mut pcount = 1;
            while pcount > 0 && self.step() {
                spec.ch = self.read();
                if spec.ch == ')' {
                    pcount -= 1;
                } else if spec.ch == '(' {
                    pcount += 1;
                }
                self.pos += 1;
            }
            if self.cnt < 0 || pcount > 0 {
                return Err(FormatError::value("incomplete format key").into());
            }
            let mut key = String::new();
            self.chars.copy_to(&mut key, keystart, self.pos - 1);
            self.looked_up = Some(self.args.lookup(&key)?);
            self.arglen = -1;
            self.argidx = -2;
        }
        while self.step() {
            spec.ch = self.read();
            self.pos += 1;
            spec.flags |= match spec.ch {
                '-' => F_LJUST,
                '+' => F_SIGN,
                ' ' => F_BLANK,
                '#' => F_ALT,
                '0' => F_ZERO,
                _ => break,
            };
        }
        if spec.ch == '*' {
            let v = self.next_arg()?;
            let n = self.star_int(&v)?;
            let width = n.to_isize().ok_or_else(|| {
                FormatError::Overflow("Python int too large to convert to C ssize_t".into())
            })?;
            if width < 0 {
                spec.flags |= F_LJUST;
            }
            spec.width = width.saturating_abs();
            self.advance(spec);
        } else if let Some(d) = spec.ch.to_digit(10) {
            spec.width = d as isize;
            while self.step() {
                spec.ch = self.read();
                self.pos += 1;
                let Some(d) = spec.ch.to_digit(10) else { break };
                if spec.width > (isize::MAX - d as isize) / 10 {
                    return Err(FormatError::value("width too big").into());
                }
                spec.width = spec.width * 10 + d as isize;
            }
        }
        if spec.ch == '.' {
            spec.prec = 0;
            self.advance(spec);
            if spec.ch == '*' {
                let v = self.next_arg()?;
                let n = self.star_int(&v)?;
                let prec = n.to_i32().ok_or_else(|| {
                    FormatError::Overflow("Python int too large to convert to C int".into())
                })?;
                spec.prec = i64::from(prec.max(0));
                self.advance(spec);
            } else if let Some(d) = spec.ch.to_digit(10) {
                spec.prec = i64::from(d);
                while self.step() {
                    spec.ch = self.read();
                    self.pos += 1;
                    let Some(d) = spec.ch.to_digit(10) else { break };
                    if spec.prec > (i64::from(i32::MAX) - i64::from(d)) / 10 {
                        return Err(FormatError::value("precision too big").into());
                    }
                    spec.prec = spec.prec * 10 + i64::from(d);
                }
            }
        }
        if self.cnt >= 0 && matches!(spec.ch, 'h' | 'l' | 'L') {
            self.advance(spec);
        }
        if self.cnt < 0 {
            return Err(FormatError::value("incomplete format").into());
        }
        Ok(())
    }

    /// The int of a `*` argument.
    fn star_int(&mut self, v: &A::Arg) -> Result<BigInt, FormatError> {
        match self.args.exact_int(v) {
            Some(IntArg::Small(n)) => Ok(BigInt::from(n)),
            Some(IntArg::Big(n)) => Ok(n),
            None => Err(FormatError::Type("* wants int".into())),
        }
    }

    /// Converts the next argument to text (CPython's `unicode_format_arg_format`).
    fn convert(&mut self, spec: &mut Spec) -> Result<Option<String>, A::Error> {
        let v = self.next_arg()?;
        let text = match spec.ch {
            's' => self.args.str(&v)?,
            'b' if self.args.bytes_mode() => self.args.str(&v)?,
            'r' => self.args.repr(&v)?,
            'a' => self.args.ascii(&v)?,
            'i' | 'd' | 'u' | 'o' | 'x' | 'X' => {
                let index_only = matches!(spec.ch, 'o' | 'x' | 'X');
                let Some(n) = self.args.to_int(&v, index_only)? else {
                    let name = self.args.type_name(&v);
                    let wanted = if index_only {
                        "an integer"
                    } else {
                        "a real number"
                    };
                    return Err(FormatError::Type(format!(
                        "%{} format: {wanted} is required, not {name}",
                        spec.ch
                    ))
                    .into());
                };
                spec.sign = true;
                format_long(n.as_int(), spec.flags & F_ALT != 0, spec.prec, spec.ch)?
            }
            'e' | 'E' | 'f' | 'F' | 'g' | 'G' => {
                let Some(x) = self.args.to_float(&v)? else {
                    let name = self.args.type_name(&v);
                    return Err(
                        FormatError::Type(format!("must be real number, not {name}")).into(),
                    );
                };
                spec.sign = true;
                let (style, upper) =
                    FloatStyle::from_code(spec.ch).unwrap_or((FloatStyle::Repr, false));
                let flags = FloatFlags {
                    alt: spec.flags & F_ALT != 0,
                    ..FloatFlags::default()
                };
                let prec = if spec.prec < 0 { 6 } else { spec.prec as usize };
                double_to_string(x, style, upper, prec, flags)
            }
            'c' => self.format_char(&v)?.to_string(),
            c => {
                let code = c as u32;
                let shown = if (31..=126).contains(&code) { c } else { '?' };
                return Err(FormatError::Value(format!(
                    "unsupported format character '{shown}' (0x{code:x}) at index {}",
                    self.pos - 1
                ))
                .into());
            }
        };
        Ok(Some(text))
    }

    /// CPython's `formatchar`.
    fn format_char(&mut self, v: &A::Arg) -> Result<char, A::Error> {
        let wrong = || FormatError::Type("%c requires int or char".into());
        if let Some(s) = self.args.as_str(v) {
            let mut chars = s.chars();
            return match (chars.next(), chars.next()) {
                (Some(c), None) => Ok(c),
                _ => Err(wrong().into()),
            };
        }
        let Some(n) = self.args.to_int(v, true)? else {
            return Err(wrong().into());
        };
        match n.as_int().to_i64() {
            Some(code @ 0..=0x10FFFF) => Ok(char_from_code(code as u32)),
            _ => Err(FormatError::Overflow("%c arg not in range(0x110000)".into()).into()),
        }
    }

    /// Pads and signs the converted text (CPython's `unicode_format_arg_output`).
    fn output(&mut self, spec: &mut Spec, text: &str) -> Result<(), FormatError> {
        let fill = if spec.sign && spec.flags & F_ZERO != 0 {
            '0'
        } else {
            ' '
        };
        let mut len = if text.is_ascii() {
            text.len()
        } else {
            text.chars().count()
        } as isize;
        if (spec.width == -1 || spec.width <= len)
            && (spec.prec == -1 || spec.prec >= len as i64)
            && spec.flags & (F_SIGN | F_BLANK) == 0
        {
            self.out.push_str(text);
            return Ok(());
        }
        let s: Vec<char> = text.chars().collect();
        // The result is at least `width` characters long.
        super::reserve(&mut self.out, spec.width.max(0) as usize)?;
        if matches!(spec.ch, 's' | 'r' | 'a') && spec.prec >= 0 && len as i64 > spec.prec {
            len = spec.prec as isize;
        }
        let mut pindex = 0usize;
        let mut signchar = '\0';
        if spec.sign {
            let c = s.first().copied().unwrap_or('\0');
            if c == '-' || c == '+' {
                signchar = c;
                len -= 1;
                pindex += 1;
            } else if spec.flags & F_SIGN != 0 {
                signchar = '+';
            } else if spec.flags & F_BLANK != 0 {
                signchar = ' ';
            } else {
                spec.sign = false;
            }
        }
        let mut width = spec.width.max(len);
        let alt_prefix = spec.flags & F_ALT != 0 && matches!(spec.ch, 'x' | 'X' | 'o');
        if spec.sign {
            if fill != ' ' {
                self.out.push(signchar);
            }
            if width > len {
                width -= 1;
            }
        }
        if alt_prefix {
            if fill != ' ' {
                self.out.push('0');
                self.out.push(spec.ch);
                pindex += 2;
            }
            width = (width - 2).max(0);
            len -= 2;
        }
        if width > len && spec.flags & F_LJUST == 0 {
            self.out
                .extend(std::iter::repeat_n(fill, (width - len) as usize));
            width = len;
        }
        if fill == ' ' {
            if spec.sign {
                self.out.push(signchar);
            }
            if alt_prefix {
                self.out.push('0');
                self.out.push(spec.ch);
                pindex += 2;
            }
        }
        let len = len.max(0) as usize;
        self.out.extend(&s[pindex..pindex + len]);
        if width > len as isize {
            self.out
                .extend(std::iter::repeat_n(' ', (width - len as isize) as usize));
        }
        Ok(())
    }
}

fn not_all_converted() -> FormatError {
    FormatError::Type("not all arguments converted during string formatting".into())
}

/// CPython's `_PyUnicode_FormatLong`: `[-][0x]DIGITS` with at least `prec` digits; the
/// `0x`/`0o` marker only with `alt`.
fn format_long(value: Int<'_>, alt: bool, prec: i64, kind: char) -> Result<String, FormatError> {
    if prec > i64::from(i32::MAX) - 3 {
        return Err(FormatError::Overflow("precision too large".into()));
    }
    let (digits, marker) = match kind {
        'o' => (value.abs_digits(8), "0o"),
        'x' => (value.abs_digits(16), "0x"),
        'X' => (value.abs_digits(16).to_ascii_uppercase(), "0X"),
        _ => (value.decimal_digits()?, ""),
    };
    let mut out = with_room(digits.len().max(prec.max(0) as usize) + 4)?;
    if value.is_negative() {
        out.push('-');
    }
    if alt {
        out.push_str(marker);
    }
    let zeros = (prec.max(0) as usize).saturating_sub(digits.len());
    out.extend(std::iter::repeat_n('0', zeros));
    out.push_str(&digits);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::test_cases::{check_all, Value};
    use num_traits::ToPrimitive;

    /// The right operand of `%` as a test [`Value`]; errors are `Class: message` strings.
    struct Operand(Value);

    struct TestError(String);

    impl From<FormatError> for TestError {
        fn from(e: FormatError) -> Self {
            TestError(e.to_string())
        }
    }

    fn int_arg(i: BigInt) -> IntArg {
        match i.to_i64() {
            Some(v) => IntArg::Small(v),
            None => IntArg::Big(i),
        }
    }

    impl PercentArgs for Operand {
        type Arg = Value;
        type Error = TestError;

        fn shape(&self) -> PercentShape {
            match &self.0 {
                Value::Tuple(items) => PercentShape::Tuple(items.len()),
                _ => PercentShape::Single,
            }
        }

        fn is_mapping(&self) -> bool {
            matches!(self.0, Value::Dict(_) | Value::List(_))
        }

        fn item(&mut self, index: usize) -> Value {
            match &self.0 {
                Value::Tuple(items) => items[index].clone(),
                _ => unreachable!(),
            }
        }

        fn whole(&mut self) -> Value {
            self.0.clone()
        }

        fn lookup(&mut self, key: &str) -> Result<Value, TestError> {
            self.0.get_key(key).map_err(TestError)
        }

        fn type_name(&mut self, arg: &Value) -> String {
            arg.type_name().to_string()
        }

        fn str(&mut self, arg: &Value) -> Result<String, TestError> {
            arg.str().map_err(TestError)
        }

        fn repr(&mut self, arg: &Value) -> Result<String, TestError> {
            arg.repr(false).map_err(TestError)
        }

        fn ascii(&mut self, arg: &Value) -> Result<String, TestError> {
            arg.repr(true).map_err(TestError)
        }

        fn exact_int(&mut self, arg: &Value) -> Option<IntArg> {
            arg.as_int().map(int_arg)
        }

        fn to_int(&mut self, arg: &Value, index_only: bool) -> Result<Option<IntArg>, TestError> {
            if let Some(i) = arg.as_int() {
                return Ok(Some(int_arg(i)));
            }
            match arg {
                Value::Float(_) if index_only => Ok(None),
                Value::Float(x) if x.is_nan() => Err(TestError(
                    "ValueError: cannot convert float NaN to integer".into(),
                )),
                Value::Float(x) if x.is_infinite() => Err(TestError(
                    "OverflowError: cannot convert float infinity to integer".into(),
                )),
                // A float's integer part, exactly, through its decimal digits.
                Value::Float(x) => Ok(Some(int_arg(
                    format!("{:.0}", x.trunc()).parse().expect("integer digits"),
                ))),
                _ => Ok(None),
            }
        }

        fn to_float(&mut self, arg: &Value) -> Result<Option<f64>, TestError> {
            arg.to_f64().transpose().map_err(TestError)
        }

        fn as_str(&mut self, arg: &Value) -> Option<String> {
            match arg {
                Value::Str(s) => Some(s.clone()),
                _ => None,
            }
        }
    }

    #[test]
    fn percent_matches_cpython() {
        check_all("percent", |c| {
            let mut operand = Operand(Value::parse(c.raw(1)));
            percent_format(c.input(0), &mut operand).map_err(|e| e.0)
        });
    }
}
