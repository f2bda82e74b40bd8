//! The XML scanner behind `pyexpat`: decoded text in, expat's events out, in expat's order
//! and with expat's positions (line from 1, column in characters from 0, byte index), so
//! that handlers see what they see under CPython. Character data comes in expat's pieces:
//! a run of text ends at a line break (reported alone, `\r\n` and `\r` as `\n`), at each
//! reference (reported alone, expanded), at markup and at the end of the text fed so far.
//! Errors carry expat's code and the position expat reports for it.
//!
//! The scanner keeps the text it could not finish (a tag cut by the end of a `Parse`
//! chunk) for the next feed. Namespaces, attribute shapes and handler dispatch are the
//! module's Python half (`pyexpat.aio`).

use std::collections::HashMap;

/// Expat's error codes (`xml.parsers.expat.errors.codes`).
pub mod code {
    pub const SYNTAX: u32 = 2;
    pub const NO_ELEMENTS: u32 = 3;
    pub const INVALID_TOKEN: u32 = 4;
    pub const UNCLOSED_TOKEN: u32 = 5;
    pub const TAG_MISMATCH: u32 = 7;
    pub const DUPLICATE_ATTRIBUTE: u32 = 8;
    pub const JUNK_AFTER_DOC_ELEMENT: u32 = 9;
    pub const UNDEFINED_ENTITY: u32 = 11;
    pub const BAD_CHAR_REF: u32 = 14;
    pub const MISPLACED_XML_PI: u32 = 17;
    pub const UNCLOSED_CDATA_SECTION: u32 = 20;
    pub const XML_DECL: u32 = 30;
}

/// A position in the document.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pos {
    /// Line, from 1.
    pub line: u32,
    /// Column in characters, from 0.
    pub col: u32,
    /// Byte index (UTF-8).
    pub byte: u64,
}

/// What the scanner found.
#[derive(Debug, PartialEq)]
pub enum Event {
    /// `<?xml version encoding standalone?>` (`standalone`: -1 absent, 0 no, 1 yes).
    XmlDecl(String, Option<String>, i32),
    /// `<!DOCTYPE name SYSTEM/PUBLIC ...` (name, system id, public id, internal subset).
    DoctypeStart(String, Option<String>, Option<String>, bool),
    /// An entity declaration of the internal subset: name, is a parameter entity, value
    /// (internal entities), system id, public id, notation.
    EntityDecl(EntityDecl),
    /// The end of the document type declaration.
    DoctypeEnd,
    /// A start tag: name and attributes in document order, values normalised.
    Start(String, Vec<(String, String)>),
    /// An end tag (also right after the start of an empty-element tag).
    End(String),
    /// Character data.
    Text(String),
    /// A reference to a declared internal entity (name, and its replacement text as the
    /// pieces of character data expat reports for it), or to an undeclared one in a
    /// document whose declarations may live elsewhere (`None`: expat's skipped entity).
    EntityRef(String, Option<Vec<String>>),
    /// `<![CDATA[`.
    CdataStart,
    /// `]]>`.
    CdataEnd,
    /// `<!--text-->`.
    Comment(String),
    /// `<?target data?>`.
    Pi(String, String),
    /// Markup no handler reports: white space outside the root element, declarations of
    /// the internal subset (the raw text, for `DefaultHandler`).
    Default(String),
}

/// An `<!ENTITY ...>` declaration.
#[derive(Debug, PartialEq, Default)]
pub struct EntityDecl {
    /// The entity's name.
    pub name: String,
    /// A parameter entity (`<!ENTITY % name ...>`).
    pub parameter: bool,
    /// The replacement text of an internal entity.
    pub value: Option<String>,
    /// `SYSTEM` literal.
    pub system_id: Option<String>,
    /// `PUBLIC` literal.
    pub public_id: Option<String>,
    /// `NDATA` name.
    pub notation: Option<String>,
}

/// Where the scanner is in the document.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Part {
    Prolog,
    Root,
    Epilog,
}

/// A scan's outcome: the events, each with where it starts, and the error that stopped
/// the scan (code and position), if any.
pub type Scanned = (Vec<(Pos, Event)>, Option<(u32, Pos)>);

/// The scanner's state between feeds.
pub struct Scanner {
    /// Text not consumed yet.
    buf: String,
    /// Where `buf` starts.
    pos: Pos,
    part: Part,
    /// Open elements' names.
    open: Vec<String>,
    /// Internal general entities declared so far.
    entities: HashMap<String, String>,
    /// The document type declaration has an external subset or parameter entity
    /// references: undeclared entities are skipped, not errors (expat's rule).
    lenient_entities: bool,
    /// Nothing was consumed yet (an XML declaration must come first).
    at_start: bool,
    /// Inside a CDATA section.
    in_cdata: bool,
    /// An error stopped the scanner.
    failed: bool,
    /// The last position computed and its offset in `buf` ([`Scanner::pos_at`]).
    cursor: std::cell::Cell<(usize, Pos)>,
}

impl Default for Scanner {
    fn default() -> Self {
        Scanner::new()
    }
}

/// A step's outcome: consumed this many bytes (events pushed), needs more text, or
/// failed at an offset of the pending text.
enum Step {
    Took(usize),
    More,
    Fail(u32, usize),
}

impl Scanner {
    /// A scanner at the start of a document.
    pub fn new() -> Scanner {
        Scanner {
            buf: String::new(),
            pos: Pos {
                line: 1,
                col: 0,
                byte: 0,
            },
            part: Part::Prolog,
            open: Vec::new(),
            entities: HashMap::new(),
            lenient_entities: false,
            at_start: true,
            in_cdata: false,
            failed: false,
            cursor: std::cell::Cell::new((
                0,
                Pos {
                    line: 1,
                    col: 0,
                    byte: 0,
                },
            )),
        }
    }

    /// Where the text not consumed yet starts (expat's current position after a feed).
    pub fn position(&self) -> Pos {
        self.pos
    }

    /// Scans `text` after what is pending; `last`: no more text follows.
    pub fn feed(&mut self, text: &str, last: bool) -> Scanned {
        let mut events = Vec::new();
        if self.failed {
            return (events, None);
        }
        self.buf.push_str(text);
        let mut off = 0;
        let error = loop {
            if off == self.buf.len() {
                break self.finish(last);
            }
            let start = self.pos_at(off);
            match self.step(off, last, start, &mut events) {
                Step::Took(n) => {
                    self.at_start = false;
                    off += n;
                }
                Step::More if !last => break None,
                Step::More => break Some((code::UNCLOSED_TOKEN, start)),
                Step::Fail(c, at) => break Some((c, self.pos_at(at))),
            }
        };
        // Positions are measured from `self.pos`: advance it past what was consumed.
        self.pos = self.pos_at(off);
        self.buf.drain(..off);
        self.cursor.set((0, self.pos));
        if error.is_some() {
            self.failed = true;
        }
        (events, error)
    }

    /// The error for the end of the text, when `last`.
    fn finish(&self, last: bool) -> Option<(u32, Pos)> {
        if !last || self.part == Part::Epilog {
            return None;
        }
        let end = self.pos_at(self.buf.len());
        if self.in_cdata {
            return Some((code::UNCLOSED_CDATA_SECTION, end));
        }
        Some((code::NO_ELEMENTS, end))
    }

    /// The position of byte offset `off` of the pending text, counted on from the last
    /// position asked for when `off` is past it (scans ask in increasing order).
    fn pos_at(&self, off: usize) -> Pos {
        let (mut from, mut p) = self.cursor.get();
        if off < from {
            (from, p) = (0, self.pos);
        }
        let mut text = &self.buf[from..off];
        // The `\n` of a `\r\n` pair the last position ended between.
        if from > 0 && self.buf.as_bytes()[from - 1] == b'\r' && text.starts_with('\n') {
            text = &text[1..];
            p.byte += 1;
        }
        let start_byte = p.byte;
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\n' => {
                    p.line += 1;
                    p.col = 0;
                }
                '\r' => {
                    if chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    p.line += 1;
                    p.col = 0;
                }
                _ => p.col += 1,
            }
        }
        p.byte = start_byte + text.len() as u64;
        self.cursor.set((off, p));
        p
    }

    /// One token at offset `off`.
    fn step(&mut self, off: usize, last: bool, at: Pos, ev: &mut Vec<(Pos, Event)>) -> Step {
        let rest = &self.buf[off..];
        if self.in_cdata {
            return self.cdata(off, last, at, ev);
        }
        if !rest.starts_with('<') {
            return match self.part {
                Part::Root => self.text(off, last, at, ev),
                _ => self.outside(off, at, ev),
            };
        }
        let b = rest.as_bytes();
        match b.get(1) {
            None => Step::More,
            Some(b'?') => self.pi(off, last, at, ev),
            Some(b'!') => {
                if rest.len() < 4 && !last {
                    return Step::More;
                }
                if rest.starts_with("<!--") {
                    self.comment(off, at, ev)
                } else if rest.starts_with("<![CDATA[") {
                    if self.part != Part::Root {
                        return Step::Fail(code::INVALID_TOKEN, off + 2);
                    }
                    ev.push((at, Event::CdataStart));
                    self.in_cdata = true;
                    Step::Took(9)
                } else if "<![CDATA[".starts_with(rest) && !last {
                    Step::More
                } else if rest.starts_with("<!DOCTYPE") && self.part == Part::Prolog {
                    self.doctype(off, ev)
                } else if "<!DOCTYPE".starts_with(rest) && !last {
                    Step::More
                } else {
                    Step::Fail(code::SYNTAX, off)
                }
            }
            Some(b'/') => self.end_tag(off, at, ev),
            Some(_) => self.start_tag(off, at, ev),
        }
    }

    /// Character data in the root element, up to markup, a line break, a reference or the
    /// end of the text.
    fn text(&mut self, off: usize, last: bool, at: Pos, ev: &mut Vec<(Pos, Event)>) -> Step {
        let rest = &self.buf[off..];
        let b = rest.as_bytes();
        match b[0] {
            b'\n' => {
                ev.push((at, Event::Text("\n".into())));
                return Step::Took(1);
            }
            b'\r' => {
                if b.len() == 1 && !last {
                    return Step::More;
                }
                ev.push((at, Event::Text("\n".into())));
                return Step::Took(if b.get(1) == Some(&b'\n') { 2 } else { 1 });
            }
            b'&' => return self.reference(off, last, at, ev),
            _ => {}
        }
        let end = rest.find(['<', '&', '\n', '\r']).unwrap_or(rest.len());
        let run = &rest[..end];
        if let Some(i) = run.find("]]>") {
            return Step::Fail(code::INVALID_TOKEN, off + i + 2);
        }
        if let Some(i) = run.find(|c: char| !is_xml_char(c)) {
            return Step::Fail(code::INVALID_TOKEN, off + i);
        }
        // `]` or `]]` at the end of the text fed so far may start a forbidden `]]>`.
        let end = if end == rest.len() && !last {
            let kept = run.len() - run.trim_end_matches(']').len();
            end - kept.min(2)
        } else {
            end
        };
        if end == 0 {
            return Step::More;
        }
        ev.push((at, Event::Text(rest[..end].to_string())));
        Step::Took(end)
    }

    /// A reference in content: `&name;`, `&#n;`, `&#xh;`.
    fn reference(&mut self, off: usize, last: bool, at: Pos, ev: &mut Vec<(Pos, Event)>) -> Step {
        let rest = &self.buf[off..];
        let Some(semi) = rest.find(';') else {
            if !last && rest[1..].chars().all(|c| c == '#' || is_name_char(c)) {
                return Step::More;
            }
            return Step::Fail(code::INVALID_TOKEN, off + 1 + name_len(&rest[1..]));
        };
        let body = &rest[1..semi];
        if let Some(num) = body.strip_prefix('#') {
            return match char_ref(num) {
                Some(c) => {
                    ev.push((at, Event::Text(c.to_string())));
                    Step::Took(semi + 1)
                }
                None if num.is_empty() || !valid_number(num) => {
                    Step::Fail(code::INVALID_TOKEN, off + 2 + num.len().min(1))
                }
                None => Step::Fail(code::BAD_CHAR_REF, off),
            };
        }
        if body.is_empty() || name_len(body) != body.len() {
            return Step::Fail(code::INVALID_TOKEN, off + 1 + name_len(body));
        }
        if let Some(c) = predefined(body) {
            ev.push((at, Event::Text(c.to_string())));
            return Step::Took(semi + 1);
        }
        match self.entities.get(body) {
            Some(v) => {
                let pieces = self.replacement_pieces(v, 0);
                ev.push((at, Event::EntityRef(body.to_string(), Some(pieces))))
            }
            None if self.lenient_entities => {
                ev.push((at, Event::EntityRef(body.to_string(), None)))
            }
            None => return Step::Fail(code::UNDEFINED_ENTITY, off),
        }
        Step::Took(semi + 1)
    }

    /// The character data of an internal entity's replacement text, in expat's pieces:
    /// split at line breaks and references, which are expanded (nested entities up to
    /// a depth; markup inside is kept as text).
    fn replacement_pieces(&self, text: &str, depth: u32) -> Vec<String> {
        let mut out = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            let i = rest.find(['&', '\n']).unwrap_or(rest.len());
            if i > 0 {
                out.push(rest[..i].to_string());
                rest = &rest[i..];
                continue;
            }
            if rest.starts_with('\n') {
                out.push("\n".into());
                rest = &rest[1..];
                continue;
            }
            let Some(semi) = rest.find(';') else {
                out.push(rest.to_string());
                break;
            };
            let body = &rest[1..semi];
            if let Some(c) = predefined(body) {
                out.push(c.to_string());
            } else if let Some(c) = body.strip_prefix('#').and_then(char_ref) {
                out.push(c.to_string());
            } else if let Some(v) = self.entities.get(body).filter(|_| depth < 16) {
                out.extend(self.replacement_pieces(v, depth + 1));
            } else {
                out.push(rest[..semi + 1].to_string());
            }
            rest = &rest[semi + 1..];
        }
        out
    }

    /// Text outside the root element: white space (reported to the default handler), else
    /// an error.
    fn outside(&mut self, off: usize, at: Pos, ev: &mut Vec<(Pos, Event)>) -> Step {
        let rest = &self.buf[off..];
        let end = rest.find('<').unwrap_or(rest.len());
        let run = &rest[..end];
        let ws = run
            .find(|c: char| !matches!(c, ' ' | '\t' | '\n' | '\r'))
            .unwrap_or(run.len());
        if ws < run.len() {
            let c = if self.part == Part::Epilog {
                code::JUNK_AFTER_DOC_ELEMENT
            } else if run[ws..].starts_with('&') || !is_xml_char(run[ws..].chars().next().unwrap())
            {
                code::INVALID_TOKEN
            } else {
                code::SYNTAX
            };
            if ws > 0 {
                ev.push((at, Event::Default(normalise_newlines(&run[..ws]))));
            }
            return Step::Fail(c, off + ws);
        }
        ev.push((at, Event::Default(normalise_newlines(run))));
        Step::Took(end)
    }

    /// Inside `<![CDATA[ ... ]]>`.
    fn cdata(&mut self, off: usize, last: bool, at: Pos, ev: &mut Vec<(Pos, Event)>) -> Step {
        let rest = &self.buf[off..];
        if rest.starts_with("]]>") {
            self.in_cdata = false;
            ev.push((at, Event::CdataEnd));
            return Step::Took(3);
        }
        let b = rest.as_bytes();
        if b[0] == b'\n' || b[0] == b'\r' {
            if b[0] == b'\r' && b.len() == 1 && !last {
                return Step::More;
            }
            ev.push((at, Event::Text("\n".into())));
            return Step::Took(if b[0] == b'\r' && b.get(1) == Some(&b'\n') {
                2
            } else {
                1
            });
        }
        let end = rest.find(['\n', '\r']).unwrap_or(rest.len());
        let end = match rest[..end].find("]]>") {
            Some(i) => i,
            None => {
                // Keep a `]` or `]]` at the end of the text: it may start the close.
                let keep = if end == rest.len() && !last {
                    rest.len() - rest.trim_end_matches(']').len()
                } else {
                    0
                };
                end - keep.min(2)
            }
        };
        if end == 0 {
            return Step::More;
        }
        ev.push((at, Event::Text(rest[..end].to_string())));
        Step::Took(end)
    }

    /// `<?target data?>`, or the XML declaration.
    fn pi(&mut self, off: usize, last: bool, at: Pos, ev: &mut Vec<(Pos, Event)>) -> Step {
        let rest = &self.buf[off..];
        let n = name_len(&rest[2..]);
        if n == 0 {
            if rest.len() == 2 && !last {
                return Step::More;
            }
            return Step::Fail(code::INVALID_TOKEN, off + 2);
        }
        let Some(close) = rest.find("?>") else {
            return Step::More;
        };
        let target = &rest[2..2 + n];
        let after = &rest[2 + n..close];
        if !after.is_empty() && !after.starts_with([' ', '\t', '\n', '\r']) {
            return Step::Fail(code::INVALID_TOKEN, off + 2 + n);
        }
        let data = after.trim_start_matches([' ', '\t', '\n', '\r']);
        if target.eq_ignore_ascii_case("xml") {
            if self.part == Part::Epilog {
                return Step::Fail(code::JUNK_AFTER_DOC_ELEMENT, off);
            }
            if target != "xml" || !self.at_start {
                return Step::Fail(code::MISPLACED_XML_PI, off);
            }
            return match xml_decl(data) {
                Some((v, e, s)) => {
                    ev.push((at, Event::XmlDecl(v, e, s)));
                    Step::Took(close + 2)
                }
                // Expat notices at the end of the declaration.
                None => Step::Fail(code::XML_DECL, off + close),
            };
        }
        ev.push((at, Event::Pi(target.to_string(), normalise_newlines(data))));
        Step::Took(close + 2)
    }

    /// `<!-- ... -->`.
    fn comment(&mut self, off: usize, at: Pos, ev: &mut Vec<(Pos, Event)>) -> Step {
        let rest = &self.buf[off..];
        let Some(dd) = rest[4..].find("--") else {
            return Step::More;
        };
        let dd = dd + 4;
        match rest.as_bytes().get(dd + 2) {
            None => Step::More,
            Some(b'>') => {
                ev.push((at, Event::Comment(normalise_newlines(&rest[4..dd]))));
                Step::Took(dd + 3)
            }
            Some(_) => Step::Fail(code::INVALID_TOKEN, off + dd + 2),
        }
    }

    /// `</name>`.
    fn end_tag(&mut self, off: usize, at: Pos, ev: &mut Vec<(Pos, Event)>) -> Step {
        let rest = &self.buf[off..];
        let Some(close) = rest.find('>') else {
            return Step::More;
        };
        let n = name_len(&rest[2..]);
        if n == 0 {
            return Step::Fail(code::INVALID_TOKEN, off + 2);
        }
        let name = &rest[2..2 + n];
        let tail = &rest[2 + n..close];
        if let Some(i) = tail.find(|c: char| !matches!(c, ' ' | '\t' | '\n' | '\r')) {
            return Step::Fail(code::INVALID_TOKEN, off + 2 + n + i);
        }
        if self.part != Part::Root || self.open.last().map(String::as_str) != Some(name) {
            return Step::Fail(
                if self.part == Part::Root {
                    code::TAG_MISMATCH
                } else {
                    code::INVALID_TOKEN
                },
                off + 2,
            );
        }
        self.open.pop();
        ev.push((at, Event::End(name.to_string())));
        if self.open.is_empty() {
            self.part = Part::Epilog;
        }
        Step::Took(close + 1)
    }

    /// `<name attr="value" ...>` or `<name ... />`.
    fn start_tag(&mut self, off: usize, at: Pos, ev: &mut Vec<(Pos, Event)>) -> Step {
        let rest = &self.buf[off..];
        let n = name_len(&rest[1..]);
        if n == 0 {
            return Step::Fail(code::INVALID_TOKEN, off + 1);
        }
        if self.part == Part::Epilog {
            return Step::Fail(code::JUNK_AFTER_DOC_ELEMENT, off);
        }
        let name = rest[1..1 + n].to_string();
        let mut i = 1 + n;
        let mut attrs: Vec<(String, String)> = Vec::new();
        let b = rest.as_bytes();
        loop {
            let ws = skip_ws(&rest[i..]);
            let Some(&c) = b.get(i + ws) else {
                return Step::More;
            };
            match c {
                b'>' => {
                    i += ws + 1;
                    break;
                }
                b'/' => match b.get(i + ws + 1) {
                    None => return Step::More,
                    Some(b'>') => {
                        let end_at = self.pos_at(off + i + ws + 2);
                        ev.push((at, Event::Start(name.clone(), attrs)));
                        ev.push((end_at, Event::End(name)));
                        if self.part == Part::Prolog {
                            self.part = Part::Epilog;
                        }
                        return Step::Took(i + ws + 2);
                    }
                    Some(_) => return Step::Fail(code::INVALID_TOKEN, off + i + ws + 1),
                },
                _ => {}
            }
            if ws == 0 {
                return Step::Fail(code::INVALID_TOKEN, off + i);
            }
            i += ws;
            let an = name_len(&rest[i..]);
            if an == 0 {
                return Step::Fail(code::INVALID_TOKEN, off + i);
            }
            let aname = &rest[i..i + an];
            let name_off = i;
            i += an;
            i += skip_ws(&rest[i..]);
            match b.get(i) {
                None => return Step::More,
                Some(b'=') => i += 1,
                Some(_) => return Step::Fail(code::INVALID_TOKEN, off + i),
            }
            i += skip_ws(&rest[i..]);
            let q = match b.get(i) {
                None => return Step::More,
                Some(&q @ (b'"' | b'\'')) => q as char,
                Some(_) => return Step::Fail(code::INVALID_TOKEN, off + i),
            };
            let Some(len) = rest[i + 1..].find(q) else {
                return Step::More;
            };
            let raw = &rest[i + 1..i + 1 + len];
            if let Some(lt) = raw.find('<') {
                return Step::Fail(code::INVALID_TOKEN, off + i + 1 + lt);
            }
            let value = match self.attr_value(raw) {
                Ok(v) => v,
                Err((c, at)) => return Step::Fail(c, off + i + 1 + at),
            };
            if attrs.iter().any(|(k, _)| k == aname) {
                return Step::Fail(code::DUPLICATE_ATTRIBUTE, off + name_off);
            }
            attrs.push((aname.to_string(), value));
            i += len + 2;
        }
        ev.push((at, Event::Start(name.clone(), attrs)));
        self.open.push(name);
        self.part = Part::Root;
        Step::Took(i)
    }

    /// An attribute value with references expanded and white space characters made
    /// spaces (a `\r\n` pair one space), or the error and its offset in `raw`.
    fn attr_value(&self, raw: &str) -> Result<String, (u32, usize)> {
        let mut out = String::with_capacity(raw.len());
        let mut rest = raw;
        let mut at = 0;
        while let Some(i) = rest.find(['&', '\t', '\n', '\r']) {
            out.push_str(&rest[..i]);
            let c = rest.as_bytes()[i];
            if c != b'&' {
                out.push(' ');
                let n = if rest[i..].starts_with("\r\n") { 2 } else { 1 };
                rest = &rest[i + n..];
                at += i + n;
                continue;
            }
            let Some(semi) = rest[i..].find(';') else {
                return Err((code::INVALID_TOKEN, at + i + 1));
            };
            let body = &rest[i + 1..i + semi];
            if let Some(num) = body.strip_prefix('#') {
                match char_ref(num) {
                    Some(c) => out.push(c),
                    None => return Err((code::BAD_CHAR_REF, at + i)),
                }
            } else if let Some(c) = predefined(body) {
                out.push(c);
            } else if let Some(v) = self.entities.get(body) {
                out.push_str(v);
            } else {
                return Err((code::UNDEFINED_ENTITY, at + i));
            }
            rest = &rest[i + semi + 1..];
            at += i + semi + 1;
        }
        out.push_str(rest);
        Ok(out)
    }

    /// `<!DOCTYPE name [SYSTEM "s" | PUBLIC "p" "s"] [ [internal subset] ] >`.
    fn doctype(&mut self, off: usize, ev: &mut Vec<(Pos, Event)>) -> Step {
        let rest = &self.buf[off..];
        let mut i = 9;
        let ws = skip_ws(&rest[i..]);
        if i + ws == rest.len() {
            return Step::More;
        }
        if ws == 0 {
            return Step::Fail(code::SYNTAX, off + i);
        }
        i += ws;
        let n = name_len(&rest[i..]);
        if n == 0 {
            return Step::Fail(code::SYNTAX, off + i);
        }
        let name = rest[i..i + n].to_string();
        i += n;
        let (system, public, used) = match external_id(&rest[i..]) {
            Ok(x) => x,
            Err(None) => return Step::More,
            Err(Some(at)) => return Step::Fail(code::SYNTAX, off + i + at),
        };
        i += used;
        i += skip_ws(&rest[i..]);
        let start_at;
        let mut decls = Vec::new();
        let mut lenient = false;
        let has_subset = match rest.as_bytes().get(i) {
            None => return Step::More,
            Some(b'[') => {
                start_at = self.pos_at(off + i);
                match self.subset(off, i + 1, &mut decls, &mut lenient) {
                    Ok(end) => i = end,
                    Err(None) => return Step::More,
                    Err(Some((c, at))) => return Step::Fail(c, at),
                }
                i += skip_ws(&rest[i..]);
                true
            }
            Some(b'>') => {
                start_at = self.pos_at(off + i);
                false
            }
            Some(_) => return Step::Fail(code::SYNTAX, off + i),
        };
        let rest = &self.buf[off..];
        match rest.as_bytes().get(i) {
            None => return Step::More,
            Some(b'>') => {}
            Some(_) => return Step::Fail(code::SYNTAX, off + i),
        }
        if system.is_some() || lenient {
            self.lenient_entities = true;
        }
        ev.push((
            start_at,
            Event::DoctypeStart(name, system, public, has_subset),
        ));
        for (p, d) in decls {
            if let Event::EntityDecl(e) = &d {
                if !e.parameter {
                    if let Some(v) = &e.value {
                        self.entities
                            .entry(e.name.clone())
                            .or_insert_with(|| v.clone());
                    }
                }
            }
            ev.push((p, d));
        }
        let end_at = self.pos_at(off + i);
        ev.push((end_at, Event::DoctypeEnd));
        Step::Took(i + 1)
    }

    /// The internal subset from offset `from` of the doctype at `off`, up to its `]`:
    /// the offset after it, or `None` for more text, or an error.
    #[allow(clippy::type_complexity)]
    fn subset(
        &self,
        off: usize,
        from: usize,
        decls: &mut Vec<(Pos, Event)>,
        lenient: &mut bool,
    ) -> Result<usize, Option<(u32, usize)>> {
        let rest = &self.buf[off..];
        let mut i = from;
        loop {
            i += skip_ws(&rest[i..]);
            let tail = &rest[i..];
            if tail.is_empty() {
                return Err(None);
            }
            if tail.starts_with(']') {
                return Ok(i + 1);
            }
            let at = self.pos_at(off + i);
            if let Some(body) = tail.strip_prefix("<!--") {
                let Some(end) = body.find("-->") else {
                    return Err(None);
                };
                decls.push((at, Event::Comment(normalise_newlines(&body[..end]))));
                i += end + 7;
            } else if let Some(body) = tail.strip_prefix("<?") {
                let Some(end) = body.find("?>") else {
                    return Err(None);
                };
                let n = name_len(body);
                let data = body[n..end].trim_start_matches([' ', '\t', '\n', '\r']);
                decls.push((at, Event::Pi(body[..n].to_string(), data.to_string())));
                i += end + 4;
            } else if tail.starts_with('%') {
                // A parameter entity reference: declarations may come from elsewhere.
                *lenient = true;
                let Some(end) = tail.find(';') else {
                    return Err(None);
                };
                decls.push((at, Event::Default(tail[..end + 1].to_string())));
                i += end + 1;
            } else if tail.starts_with("<!") {
                let Some(end) = decl_end(tail) else {
                    return Err(None);
                };
                let raw = &tail[..end];
                if let Some(body) = raw.strip_prefix("<!ENTITY") {
                    // Expat reports the declaration at its last token.
                    let at = self.pos_at(off + i + last_token(&raw[..end - 1]));
                    match entity_decl(&body[..body.len() - 1]) {
                        Some(d) => decls.push((at, Event::EntityDecl(d))),
                        None => return Err(Some((code::SYNTAX, off + i))),
                    }
                } else {
                    decls.push((at, Event::Default(normalise_newlines(raw))));
                }
                i += end;
            } else {
                return Err(Some((code::SYNTAX, off + i)));
            }
        }
    }
}

/// The length of the markup declaration at the start of `s` (through its `>`, quoted
/// literals skipped), or `None` when it does not end in `s`.
fn decl_end(s: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// Where the last token of a declaration (without its `>`) starts: a quoted literal or a
/// name.
fn last_token(decl: &str) -> usize {
    let t = decl.trim_end_matches([' ', '\t', '\n', '\r']);
    match t.chars().last() {
        Some(q @ ('"' | '\'')) => t[..t.len() - 1].rfind(q).unwrap_or(0),
        _ => t.rfind(|c: char| !is_name_char(c)).map_or(0, |i| i + 1),
    }
}

/// The body of `<!ENTITY ...>` (after the keyword, before the `>`).
fn entity_decl(body: &str) -> Option<EntityDecl> {
    let mut s = body.trim_start_matches([' ', '\t', '\n', '\r']);
    let mut d = EntityDecl::default();
    if let Some(r) = s.strip_prefix('%') {
        d.parameter = true;
        s = r.trim_start_matches([' ', '\t', '\n', '\r']);
    }
    let n = name_len(s);
    if n == 0 {
        return None;
    }
    d.name = s[..n].to_string();
    s = s[n..].trim_start_matches([' ', '\t', '\n', '\r']);
    if let Some((lit, used)) = literal(s) {
        d.value = Some(expand_char_refs(&normalise_newlines(&lit)));
        s = &s[used..];
    } else {
        let (system, public, used) = external_id(s).ok()?;
        d.system_id = system;
        d.public_id = public;
        s = s[used..].trim_start_matches([' ', '\t', '\n', '\r']);
        if let Some(r) = s.strip_prefix("NDATA") {
            let r = r.trim_start_matches([' ', '\t', '\n', '\r']);
            let n = name_len(r);
            d.notation = Some(r[..n].to_string());
            s = &r[n..];
        }
    }
    s.trim().is_empty().then_some(d)
}

/// An entity value with its character references expanded (expat expands them as it
/// reads the declaration; general entity references stay for the reference to expand).
fn expand_char_refs(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(i) = rest.find("&#") {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 2..];
        match tail
            .find(';')
            .and_then(|semi| Some((char_ref(&tail[..semi])?, semi)))
        {
            Some((c, semi)) => {
                out.push(c);
                rest = &tail[semi + 1..];
            }
            None => {
                out.push_str("&#");
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A quoted literal at the start of `s`: its text and the length used.
fn literal(s: &str) -> Option<(String, usize)> {
    let q = s.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let end = s[1..].find(q)?;
    Some((s[1..1 + end].to_string(), end + 2))
}

/// An optional `SYSTEM "s"` or `PUBLIC "p" "s"` after white space: system and public ids
/// and the length used; `Err(None)` for more text, `Err(Some(offset))` for an error.
#[allow(clippy::type_complexity)]
fn external_id(s: &str) -> Result<(Option<String>, Option<String>, usize), Option<usize>> {
    let ws = skip_ws(s);
    let t = &s[ws..];
    let quoted = |from: usize| -> Result<(String, usize), Option<usize>> {
        let w = skip_ws(&t[from..]);
        let r = &t[from + w..];
        if r.is_empty() {
            return Err(None);
        }
        match literal(r) {
            Some((v, used)) => Ok((v, from + w + used)),
            None if r.starts_with(['"', '\'']) => Err(None),
            None => Err(Some(ws + from + w)),
        }
    };
    if t.starts_with("SYSTEM") {
        let (sys, used) = quoted(6)?;
        Ok((Some(sys), None, ws + used))
    } else if t.starts_with("PUBLIC") {
        let (public, used) = quoted(6)?;
        let (sys, used) = quoted(used)?;
        Ok((Some(sys), Some(public), ws + used))
    } else if t.is_empty() || "SYSTEM".starts_with(t) || "PUBLIC".starts_with(t) {
        Err(None)
    } else {
        Ok((None, None, 0))
    }
}

/// `version="1.0" encoding="..." standalone="yes"` of an XML declaration.
fn xml_decl(data: &str) -> Option<(String, Option<String>, i32)> {
    let mut s = data;
    let mut pseudo = Vec::new();
    loop {
        s = s.trim_start_matches([' ', '\t', '\n', '\r']);
        if s.is_empty() {
            break;
        }
        let n = name_len(s);
        let key = &s[..n];
        s = s[n..].trim_start_matches([' ', '\t', '\n', '\r']);
        s = s
            .strip_prefix('=')?
            .trim_start_matches([' ', '\t', '\n', '\r']);
        let (v, used) = literal(s)?;
        pseudo.push((key.to_string(), v));
        s = &s[used..];
    }
    let mut it = pseudo.into_iter().peekable();
    let (k, version) = it.next()?;
    if k != "version" {
        return None;
    }
    let encoding = match it.peek() {
        Some((k, _)) if k == "encoding" => it.next().map(|(_, v)| v),
        _ => None,
    };
    let standalone = match it.next() {
        None => -1,
        Some((k, v)) if k == "standalone" => match v.as_str() {
            "yes" => 1,
            "no" => 0,
            _ => return None,
        },
        Some(_) => return None,
    };
    it.next()
        .is_none()
        .then_some((version, encoding, standalone))
}

/// `\r\n` and `\r` as `\n`.
fn normalise_newlines(s: &str) -> String {
    if !s.contains('\r') {
        return s.to_string();
    }
    s.replace("\r\n", "\n").replace('\r', "\n")
}

fn skip_ws(s: &str) -> usize {
    s.len() - s.trim_start_matches([' ', '\t', '\n', '\r']).len()
}

/// The length of the XML name at the start of `s` (0: none).
fn name_len(s: &str) -> usize {
    let mut it = s.char_indices();
    match it.next() {
        Some((_, c)) if is_name_start(c) => {}
        _ => return 0,
    }
    for (i, c) in it {
        if !is_name_char(c) {
            return i;
        }
    }
    s.len()
}

fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic()
        || c == '_'
        || c == ':'
        || (c as u32 >= 0xC0 && c != '\u{D7}' && c != '\u{F7}')
}

fn is_name_char(c: char) -> bool {
    is_name_start(c) || c.is_ascii_digit() || c == '-' || c == '.' || c == '\u{B7}'
}

/// XML 1.0's `Char`.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && !matches!(c, '\u{FFFE}' | '\u{FFFF}'))
}

fn predefined(name: &str) -> Option<char> {
    Some(match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "quot" => '"',
        "apos" => '\'',
        _ => return None,
    })
}

/// Whether `num` (after `&#`) is digits, or `x` and hex digits.
fn valid_number(num: &str) -> bool {
    match num.strip_prefix('x') {
        Some(h) => !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()),
        None => num.chars().all(|c| c.is_ascii_digit()),
    }
}

/// The character of a character reference (after `&#`, before `;`).
fn char_ref(num: &str) -> Option<char> {
    if !valid_number(num) || num.is_empty() {
        return None;
    }
    let n = match num.strip_prefix('x') {
        Some(h) => u32::from_str_radix(h, 16).ok()?,
        None => num.parse().ok()?,
    };
    char::from_u32(n).filter(|&c| is_xml_char(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(chunks: &[&str]) -> Scanned {
        let mut s = Scanner::new();
        let mut all = Vec::new();
        for (i, c) in chunks.iter().enumerate() {
            let (ev, err) = s.feed(c, i + 1 == chunks.len());
            all.extend(ev);
            if err.is_some() {
                return (all, err);
            }
        }
        (all, None)
    }

    /// Text is split at line breaks and references, and at the end of each chunk.
    #[test]
    fn character_data_comes_in_expats_pieces() {
        let (ev, err) = scan(&["<a>t1\nt2&lt;x", "y</a>"]);
        assert!(err.is_none());
        let texts: Vec<&Event> = ev.iter().map(|(_, e)| e).collect();
        assert_eq!(
            texts,
            [
                &Event::Start("a".into(), vec![]),
                &Event::Text("t1".into()),
                &Event::Text("\n".into()),
                &Event::Text("t2".into()),
                &Event::Text("<".into()),
                &Event::Text("x".into()),
                &Event::Text("y".into()),
                &Event::End("a".into()),
            ]
        );
        assert_eq!(
            ev[3].0,
            Pos {
                line: 2,
                col: 0,
                byte: 6
            }
        );
    }

    /// A tag cut by the end of a chunk waits for the next one.
    #[test]
    fn a_cut_tag_waits() {
        let (ev, err) = scan(&["<a", " b='1'", "/>"]);
        assert!(err.is_none());
        assert_eq!(
            ev[0].1,
            Event::Start("a".into(), vec![("b".into(), "1".into())])
        );
        assert_eq!(ev[1].0.col, 10);
    }

    /// Expat's codes and positions for common mistakes.
    #[test]
    fn errors_have_expats_codes_and_positions() {
        let err = |doc: &str| scan(&[doc]).1.map(|(c, p)| (c, p.line, p.col));
        assert_eq!(err("<a></b>"), Some((code::TAG_MISMATCH, 1, 5)));
        assert_eq!(err("<a>"), Some((code::NO_ELEMENTS, 1, 3)));
        assert_eq!(err("<a/><b/>"), Some((code::JUNK_AFTER_DOC_ELEMENT, 1, 4)));
        assert_eq!(err("<a>&foo;</a>"), Some((code::UNDEFINED_ENTITY, 1, 3)));
        assert_eq!(
            err("<a x='1' x='2'/>"),
            Some((code::DUPLICATE_ATTRIBUTE, 1, 9))
        );
        assert_eq!(err("<a><</a>"), Some((code::INVALID_TOKEN, 1, 4)));
        assert_eq!(err("text"), Some((code::SYNTAX, 1, 0)));
        assert_eq!(err("<a x=1/>"), Some((code::INVALID_TOKEN, 1, 5)));
    }

    /// Attribute values: references expanded, white space characters made spaces.
    #[test]
    fn attribute_values_are_normalised() {
        let (ev, _) = scan(&["<a x='1&amp;2' y='a\tb\r\nc'/>"]);
        assert_eq!(
            ev[0].1,
            Event::Start(
                "a".into(),
                vec![("x".into(), "1&2".into()), ("y".into(), "a b c".into())]
            )
        );
    }
}
