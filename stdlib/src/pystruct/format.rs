//! Struct format strings, as `_struct.c`'s `prepare_s`: byte order, repeat counts, native
//! sizes and alignment for `@`, standard sizes for `= < > !`.

/// The byte order (and, for `Native`, sizes and alignment) of a format.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Order {
    /// `@`: native order, sizes and alignment (this host: little-endian, LP64).
    Native,
    /// `<` and `=`: little-endian, standard sizes.
    Little,
    /// `>` and `!`: big-endian, standard sizes.
    Big,
}

/// One format code with its repeat count, laid out.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub code: char,
    pub count: usize,
    /// Bytes per element (1 for `s`, `p`, `x`).
    pub size: usize,
    /// Byte offset of the first element.
    pub offset: usize,
}

impl Item {
    /// How many values the item packs or unpacks.
    pub fn values(&self) -> usize {
        match self.code {
            's' | 'p' => 1,
            'x' => 0,
            _ => self.count,
        }
    }
}

fn native_size(c: char) -> Option<usize> {
    Some(match c {
        'x' | 'c' | 'b' | 'B' | '?' | 's' | 'p' => 1,
        'h' | 'H' | 'e' => 2,
        'i' | 'I' | 'f' => 4,
        'l' | 'L' | 'q' | 'Q' | 'n' | 'N' | 'P' | 'd' => 8,
        _ => return None,
    })
}

fn standard_size(c: char) -> Option<usize> {
    Some(match c {
        'x' | 'c' | 'b' | 'B' | '?' | 's' | 'p' => 1,
        'h' | 'H' | 'e' => 2,
        'i' | 'I' | 'l' | 'L' | 'f' => 4,
        'q' | 'Q' | 'd' => 8,
        _ => return None,
    })
}

const TOO_LONG: &str = "total struct size too long";

/// A parsed format: byte order, items and total size.
pub type Parsed = (Order, Vec<Item>, usize);

/// Most formats kept parsed by [`parse_cached`] before the cache is emptied.
const CACHE_SIZE: usize = 256;

thread_local! {
    static CACHE: std::cell::RefCell<std::collections::HashMap<Box<str>, std::rc::Rc<Parsed>>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// [`parse`], remembering the formats that parse (a `Struct` repacks with the same format
/// on every call, as `_struct.c` keeps its parsed codes in the `Struct` object).
pub fn parse_cached(fmt: &str) -> Result<std::rc::Rc<Parsed>, String> {
    if let Some(p) = CACHE.with(|c| c.borrow().get(fmt).cloned()) {
        return Ok(p);
    }
    let parsed = std::rc::Rc::new(parse(fmt)?);
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= CACHE_SIZE {
            c.clear();
        }
        c.insert(fmt.into(), parsed.clone());
    });
    Ok(parsed)
}

/// Parses `fmt`: its order, items and total size, or `struct.error`'s message.
pub fn parse(fmt: &str) -> Result<Parsed, String> {
    let mut chars = fmt.chars().peekable();
    let order = match chars.peek() {
        Some('@') => Order::Native,
        Some('=') | Some('<') => Order::Little,
        Some('>') | Some('!') => Order::Big,
        _ => {
            let items = parse_items(chars, Order::Native)?;
            return Ok((Order::Native, items.0, items.1));
        }
    };
    chars.next();
    let (items, size) = parse_items(chars, order)?;
    Ok((order, items, size))
}

fn parse_items(
    mut chars: std::iter::Peekable<std::str::Chars<'_>>,
    order: Order,
) -> Result<(Vec<Item>, usize), String> {
    let mut items = Vec::new();
    let mut size: usize = 0;
    while let Some(mut c) = chars.next() {
        if c.is_ascii_whitespace() {
            continue;
        }
        let mut count = 1usize;
        if c.is_ascii_digit() {
            count = 0;
            let mut d = Some(c);
            while let Some(x) = d.filter(|x| x.is_ascii_digit()) {
                count = count
                    .checked_mul(10)
                    .and_then(|n| n.checked_add(x as usize - '0' as usize))
                    .ok_or(TOO_LONG)?;
                d = chars.next();
            }
            match d {
                Some(x) => c = x,
                None => return Err("repeat count given without format specifier".into()),
            }
        }
        let esize = match order {
            Order::Native => native_size(c),
            _ => standard_size(c),
        }
        .ok_or("bad char in struct format")?;
        if order == Order::Native && !matches!(c, 's' | 'p' | 'x') && size > 0 {
            let extra = (esize - 1) - (size - 1) % esize;
            size = size.checked_add(extra).ok_or(TOO_LONG)?;
        }
        items.push(Item {
            code: c,
            count,
            size: esize,
            offset: size,
        });
        size = count
            .checked_mul(esize)
            .and_then(|n| size.checked_add(n))
            .filter(|n| *n <= isize::MAX as usize)
            .ok_or(TOO_LONG)?;
    }
    Ok((items, size))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn size(f: &str) -> usize {
        parse(f).unwrap().2
    }

    #[test]
    fn sizes_and_alignment_match_cpython() {
        assert_eq!(size("@bi"), 8);
        assert_eq!(size("=bi"), 5);
        assert_eq!(size("bq"), 16);
        assert_eq!(size("ci0q"), 8);
        assert_eq!(size("3s2p"), 5);
        assert_eq!(size("<lL"), 8);
        assert_eq!(size("lL"), 16);
        assert_eq!(size("2x h"), 4);
        assert_eq!(size(""), 0);
    }

    #[test]
    fn errors_match_cpython() {
        assert_eq!(parse("z").unwrap_err(), "bad char in struct format");
        assert_eq!(parse("<n").unwrap_err(), "bad char in struct format");
        assert_eq!(
            parse("99999999999999999999i").unwrap_err(),
            "total struct size too long"
        );
        assert_eq!(
            parse("3").unwrap_err(),
            "repeat count given without format specifier"
        );
    }
}
