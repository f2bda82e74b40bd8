//! Where a definition's source ends and where a class's starts, from aio's own tokens:
//! what CPython's `inspect` finds with `tokenize` (`BlockFinder`) and `ast` (`_ClassFinder`).

use aio_lexer::{LineIndex, Tok, Token};

/// The tokens of `source` with their 1-based lines and 0-based byte columns (those before
/// the first lexing error: a file that ran has none).
fn located<'a>(source: &'a str) -> Vec<(Token<'a>, u32, u32)> {
    let index = LineIndex::new(source);
    let (tokens, _) = aio_lexer::tokenize(source);
    tokens
        .into_iter()
        .map(|t| {
            let line = index.line(t.span.start);
            let col = t.span.start - index.line_start(line);
            (t, line, col)
        })
        .collect()
}

/// The last line (1-based) of the definition that starts on line `start` of `source`,
/// decorators included: CPython's `BlockFinder` rules, with the comments that `tokenize`
/// reports found in the lines between the block's last statement and the token that ends it
/// (indented at least as deep as the body, they belong to it).
pub fn block_end(source: &str, start: u32) -> u32 {
    let tokens = located(source);
    let mut finder = BlockFinder {
        last: start,
        ..BlockFinder::default()
    };
    let mut end_line = None;
    for (i, (tok, line, _)) in tokens.iter().enumerate() {
        if *line < start {
            continue;
        }
        match finder.eat(&tok.tok, *line, tokens.get(i + 1).map(|t| t.2)) {
            Step::Go => {}
            Step::EndAtNewline => return finder.last,
            Step::End => {
                end_line = Some(*line);
                break;
            }
        }
    }
    let Some(body_col) = finder.body_col0 else {
        return finder.last;
    };
    let index = LineIndex::new(source);
    let stop = end_line.unwrap_or_else(|| index.line(source.len() as u32) + 1);
    for line in finder.last + 1..stop {
        let text = index.line_text(source, line);
        let code = text.trim_start();
        if code.starts_with('#') && (text.len() - code.len()) as u32 >= body_col {
            finder.last = line;
        }
    }
    finder.last
}

/// What one token does to the search.
enum Step {
    /// Go on.
    Go,
    /// The block ended at the NEWLINE just seen (a lambda).
    EndAtNewline,
    /// The block ended before this token.
    End,
}

/// The state of CPython's `inspect.BlockFinder`.
#[derive(Default)]
struct BlockFinder {
    indent: i32,
    islambda: bool,
    started: bool,
    passline: bool,
    indecorator: bool,
    last: u32,
    body_col0: Option<u32>,
}

impl BlockFinder {
    /// `tokeneater` for one token on `line`; `next_col` is where the next token starts
    /// (an INDENT ends there). Comments are not tokens here (see [`block_end`]).
    fn eat(&mut self, tok: &Tok, line: u32, next_col: Option<u32>) -> Step {
        if !self.started && !self.indecorator {
            match tok {
                Tok::At => self.indecorator = true,
                Tok::Def | Tok::Class | Tok::Lambda => {
                    self.islambda = matches!(tok, Tok::Lambda);
                    self.started = true;
                }
                _ => {}
            }
            self.passline = true;
        } else if matches!(tok, Tok::Newline) {
            self.passline = false;
            self.last = line;
            if self.islambda {
                return Step::EndAtNewline;
            }
            self.indecorator = false;
        } else if self.passline {
            // The rest of a header or of a body's first line.
        } else if matches!(tok, Tok::Indent) {
            if self.body_col0.is_none() && self.started {
                self.body_col0 = next_col;
            }
            self.indent += 1;
            self.passline = true;
        } else if matches!(tok, Tok::Dedent) {
            self.indent -= 1;
            if self.indent <= 0 {
                return Step::End;
            }
        } else if self.indent == 0 {
            return Step::End;
        }
        Step::Go
    }
}

/// The 0-based line where class `qualname` is defined in `source` (its first decorator's
/// line if it has one), as CPython's `_ClassFinder` finds it: the first class statement
/// whose enclosing classes and functions (`<locals>` after a function) spell `qualname`.
pub fn class_line(source: &str, qualname: &str) -> Option<u32> {
    let tokens = located(source);
    // Open definitions: (depth, name, is a function).
    let mut stack: Vec<(i32, &str, bool)> = Vec::new();
    let mut depth = 0;
    let mut line_start = true;
    let mut decorator: Option<u32> = None;
    let mut i = 0;
    while i < tokens.len() {
        let (tok, line, _) = &tokens[i];
        i += 1;
        match tok.tok {
            Tok::Newline => {
                line_start = true;
                continue;
            }
            Tok::Indent => {
                depth += 1;
                continue;
            }
            Tok::Dedent => {
                depth -= 1;
                continue;
            }
            _ if !line_start => continue,
            _ => {}
        }
        line_start = false;
        while stack.last().is_some_and(|s| s.0 >= depth) {
            stack.pop();
        }
        let (is_def, is_class) = match (&tok.tok, tokens.get(i).map(|t| &t.0.tok)) {
            (Tok::Def, _) => (true, false),
            (Tok::Async, Some(Tok::Def)) => {
                i += 1;
                (true, false)
            }
            (Tok::Class, _) => (false, true),
            (Tok::At, _) => {
                decorator.get_or_insert(*line);
                continue;
            }
            _ => (false, false),
        };
        let first = decorator.take().unwrap_or(*line);
        if !(is_def || is_class) {
            continue;
        }
        let Some((
            Token {
                tok: Tok::Name(name),
                ..
            },
            _,
            _,
        )) = tokens.get(i)
        else {
            continue;
        };
        stack.push((depth, name, is_def));
        if is_class && spells(&stack, qualname) {
            return Some(first - 1);
        }
    }
    None
}

/// Whether the open definitions spell `qualname` (`f.<locals>.C`).
fn spells(stack: &[(i32, &str, bool)], qualname: &str) -> bool {
    let mut parts = Vec::new();
    for (k, (_, name, is_def)) in stack.iter().enumerate() {
        parts.push(*name);
        if *is_def && k + 1 < stack.len() {
            parts.push("<locals>");
        }
    }
    parts.join(".") == qualname
}

#[cfg(test)]
mod tests {
    use super::{block_end, class_line};

    const SOURCE: &str = "\
import x
@deco(
    1)
def f(a,
      b):
    return [a,
            b]
    # trailing, in f

# not in f
class A:
    class B:
        def m(self): return 1
    async def n(self):
        pass
def g():
    class A:
        pass
lam = lambda: (1,
    2)
";

    #[test]
    fn blocks_end_as_cpython_block_finder_says() {
        assert_eq!(
            block_end(SOURCE, 2),
            8,
            "decorated, with its trailing comment"
        );
        assert_eq!(block_end(SOURCE, 11), 15, "a class to its last method");
        assert_eq!(block_end(SOURCE, 13), 13, "a one-line method");
        assert_eq!(block_end(SOURCE, 14), 15, "an async method");
        assert_eq!(block_end(SOURCE, 19), 20, "a lambda ends at its NEWLINE");
    }

    #[test]
    fn classes_are_found_by_qualified_name() {
        assert_eq!(class_line(SOURCE, "A"), Some(10));
        assert_eq!(class_line(SOURCE, "A.B"), Some(11));
        assert_eq!(class_line(SOURCE, "g.<locals>.A"), Some(16));
        assert_eq!(class_line(SOURCE, "B"), None);
        assert_eq!(class_line(SOURCE, "A.n.<locals>.C"), None);
    }
}
