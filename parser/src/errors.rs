//! Turns lalrpop's parse errors into the `SyntaxError`s CPython 3.11 reports for the same
//! input. The generic LR error ("unexpected token, expected one of ...") is refined with the
//! context CPython's `invalid_*` rules look at: the statement header, bracket depth, and
//! the tokens around the error.

use aio_lexer::{LineIndex, Span, SyntaxError, Tok, Token};
use lalrpop_util::ParseError;

/// Converts a parse error over `tokens` (the token stream that was parsed) into a
/// `SyntaxError`.
pub fn convert(
    err: ParseError<u32, Tok<'_>, SyntaxError>,
    tokens: &[Token<'_>],
    source: &str,
) -> SyntaxError {
    match err {
        ParseError::User { error } => error,
        ParseError::UnrecognizedToken {
            token: (l, tok, r),
            expected,
        } => unexpected_token(Span::new(l, r), &tok, &expected, tokens, source),
        ParseError::UnrecognizedEof { location, expected } => {
            if expects(&expected, "except") && expects(&expected, "finally") {
                return try_without_handler(source);
            }
            if expects(&expected, "Indent") {
                if let Some(err) = expected_block(tokens.len(), tokens, source, Span::at(location))
                {
                    return err.with_incomplete();
                }
            }
            SyntaxError::new("invalid syntax", Span::at(location)).with_incomplete()
        }
        ParseError::InvalidToken { location } => {
            SyntaxError::new("invalid syntax", Span::at(location))
        }
        ParseError::ExtraToken { token: (l, _, r) } => {
            SyntaxError::new("invalid syntax", Span::new(l, r))
        }
    }
}

/// Chooses between a parse error and the error the lexer met later in the source, as
/// CPython's `_PyPegen_tokenize_full_source_to_check_for_errors` does: a later tokenizer
/// error (bad character, unterminated string, inconsistent dedent...) wins, except that an
/// unclosed bracket wins only when it was opened on a line before the one where parsing
/// failed (`failed_at`).
pub fn prefer_tokenizer_error(
    parse_error: SyntaxError,
    failed_at: u32,
    lex_error: SyntaxError,
    source: &str,
) -> SyntaxError {
    if lex_error.message == "unexpected EOF while parsing" {
        return parse_error;
    }
    let index = LineIndex::new(source);
    if lex_error.message.ends_with("was never closed")
        && index.line(lex_error.span.start) >= index.line(failed_at)
    {
        return parse_error;
    }
    lex_error
}

/// The offset of the token the parser failed at.
pub fn failure_offset(err: &ParseError<u32, Tok<'_>, SyntaxError>) -> u32 {
    match err {
        ParseError::User { error } => error.span.start,
        ParseError::UnrecognizedToken {
            token: (l, _, _), ..
        }
        | ParseError::ExtraToken { token: (l, _, _) } => *l,
        ParseError::UnrecognizedEof { location, .. } | ParseError::InvalidToken { location } => {
            *location
        }
    }
}

fn expects(expected: &[String], terminal: &str) -> bool {
    let quoted = format!("\"{terminal}\"");
    expected.iter().any(|e| e == terminal || *e == quoted)
}

fn unexpected_token(
    span: Span,
    tok: &Tok<'_>,
    expected: &[String],
    tokens: &[Token<'_>],
    source: &str,
) -> SyntaxError {
    let index = tokens
        .iter()
        .position(|t| t.span == span && t.tok == *tok)
        .unwrap_or(tokens.len());
    let prev = index.checked_sub(1).map(|i| &tokens[i]);
    let line_start = logical_line_start(tokens, index);
    // CPython parses an f-string's fields when its parser reaches the string, so a broken
    // f-string before the failing token is the error (`f"{"a"}"` in 3.11: the string
    // `f"{"` ends at the inner quote, and "f-string: expecting '}'" is reported).
    for t in &tokens[line_start.min(index)..index] {
        if let Tok::FString(f) = &t.tok {
            if let Err(e) = crate::fstring::parse(f) {
                return e;
            }
        }
    }

    if *tok == Tok::Indent {
        // CPython points at the last character of the indentation.
        let at = Span::new(span.end.saturating_sub(1).max(span.start), span.end);
        return SyntaxError::indentation("unexpected indent", at).without_caret();
    }
    if let Some(err) = missing_forced_token(tokens, line_start, index, tok, source) {
        return err;
    }
    if expects(expected, "except")
        && expects(expected, "finally")
        && (*tok == Tok::Dedent || prev.is_some_and(|p| p.tok == Tok::Dedent))
    {
        if span.start as usize >= source.len() {
            return try_without_handler(source);
        }
        let err = SyntaxError::new("expected 'except' or 'finally' block", span);
        if *tok == Tok::Dedent {
            // A further dedent: CPython names the line of the next token, without a caret.
            let at = first_token_span(tokens, index).unwrap_or(span);
            return SyntaxError { span: at, ..err }.without_caret();
        }
        return err;
    }
    if *tok == Tok::ColonEqual {
        if let Some(err) = invalid_walrus_target(tokens, index, source) {
            return err;
        }
    }
    if let Some(err) = invalid_dict_item(tokens, index, tok, expected) {
        return err;
    }
    if let Some(err) = match_without_colon(tokens, line_start, index, source) {
        return err;
    }
    if expects(expected, "Indent") && expected.len() == 1 {
        if let Some(err) = expected_block(index, tokens, source, span) {
            return err;
        }
    }
    if *tok == Tok::Newline
        && expects(expected, ":")
        && tokens
            .get(line_start)
            .is_some_and(|t| is_block_keyword(&t.tok))
    {
        return SyntaxError::new("expected ':'", span);
    }
    if let Some(p) = prev {
        if *tok == Tok::Equal
            && matches!(p.tok, Tok::Name(_))
            && index >= 2
            && matches!(tokens[index - 2].tok, Tok::If | Tok::Elif | Tok::While)
        {
            let end = tokens.get(index + 1).map_or(span.end, |t| t.span.end);
            return SyntaxError::new(
                "invalid syntax. Maybe you meant '==' or ':=' instead of '='?",
                Span::new(p.span.start, end),
            );
        }
        if expects(expected, "\"else\"")
            && !matches!(tok, Tok::Else)
            && ternary_without_else(tokens, line_start, index)
        {
            let start = ternary_start(tokens, line_start, index);
            return SyntaxError::new(
                "expected 'else' after 'if' expression",
                Span::new(start, p.span.end),
            );
        }
        if let Some(err) = legacy_call(tokens, index, tok, source) {
            return err;
        }
        if let Some(err) = forgot_comma(tokens, index, tok, source) {
            return err;
        }
    }
    // CPython's tokenizer reads `<>` as one token (for PEP 401), so the error spans both.
    if let Some(p) = prev.filter(|p| p.tok == Tok::Less && p.span.end == span.start) {
        if *tok == Tok::Greater {
            return SyntaxError::new("invalid syntax", Span::new(p.span.start, span.end));
        }
    }
    SyntaxError::new("invalid syntax", span)
}

/// CPython's forced tokens (`&&'('` and `&&':'` in its grammar): the name of a `def` must be
/// followed by `(`, and the headers of `def`, `try`, `finally` and `else` end with `:`.
/// CPython raises "expected 'X'" at the token found instead, before any other refinement.
fn missing_forced_token(
    tokens: &[Token<'_>],
    line_start: usize,
    index: usize,
    tok: &Tok<'_>,
    source: &str,
) -> Option<SyntaxError> {
    let mut header = line_start;
    if tokens.get(header)?.tok == Tok::Async {
        header += 1;
    }
    let at = |i: usize| tokens.get(i).map(|t| t.span);
    let colon = |i: usize| Some(SyntaxError::new("expected ':'", at(i)?));
    match tokens.get(header)?.tok {
        Tok::Try | Tok::Finally | Tok::Else if index == header + 1 && *tok != Tok::Colon => {
            colon(index)
        }
        Tok::Def if matches!(tokens.get(header + 1)?.tok, Tok::Name(_)) => {
            let open = header + 2;
            if index == open {
                return Some(SyntaxError::new("expected '('", at(index)?));
            }
            let close = matching_close(tokens, open)?;
            if index <= close {
                return None;
            }
            if index == close + 1 || tokens[close + 1].tok != Tok::Rarrow {
                return colon(index);
            }
            // `-> annotation`: CPython's forced `:` follows the annotation when it is an
            // expression, else the `->` itself.
            let annotation = (close + 2 < index).then(|| {
                let (first, last) = (&tokens[close + 2], &tokens[index - 1]);
                let text = source.get(first.span.start as usize..last.span.end as usize)?;
                crate::quiet_expression_at(text, first.span.start)
            });
            colon(if annotation.flatten().is_some() {
                index
            } else {
                close + 1
            })
        }
        _ => None,
    }
}

/// The index of the bracket that closes the one at `open`, if it is closed on its line.
fn matching_close(tokens: &[Token<'_>], open: usize) -> Option<usize> {
    if tokens.get(open)?.tok != Tok::LPar {
        return None;
    }
    let mut depth = 0usize;
    for (i, t) in tokens.iter().enumerate().skip(open) {
        match t.tok {
            Tok::LPar | Tok::LSqb | Tok::LBrace => depth += 1,
            Tok::RPar | Tok::RSqb | Tok::RBrace => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            Tok::Newline => return None,
            _ => {}
        }
    }
    None
}

/// `print "x"` or `exec "code"` (CPython's `invalid_legacy_expression`): the name starts
/// an expression and is followed by another; the report spans both.
fn legacy_call(
    tokens: &[Token<'_>],
    index: usize,
    tok: &Tok<'_>,
    source: &str,
) -> Option<SyntaxError> {
    let name = tokens.get(index.checked_sub(1)?)?;
    let Tok::Name(word @ ("print" | "exec")) = name.tok else {
        return None;
    };
    let attribute = index >= 2 && tokens[index - 2].tok == Tok::Dot;
    if attribute || *tok == Tok::LPar || !can_start_expression(tok) {
        return None;
    }
    let end = expression_end(tokens, index, source, true);
    Some(SyntaxError::new(
        format!("Missing parentheses in call to '{word}'. Did you mean {word}(...)?"),
        Span::new(name.span.start, end),
    ))
}

/// Inside brackets, an expression directly followed by another (CPython's
/// `invalid_expression`): "Perhaps you forgot a comma?", spanning both expressions. As in
/// CPython, the first must be a disjunction (not a conditional or a lambda) that does not
/// start with a soft keyword or with a name followed by a string (`f(a "x")`).
fn forgot_comma(
    tokens: &[Token<'_>],
    index: usize,
    tok: &Tok<'_>,
    source: &str,
) -> Option<SyntaxError> {
    let prev = tokens.get(index.checked_sub(1)?)?;
    if !can_start_expression(tok)
        || !can_end_expression(&prev.tok)
        || !in_expression_brackets(tokens, index)
    {
        return None;
    }
    let start = expression_start(tokens, index)?;
    let first = &tokens[start];
    let then_string = matches!(
        tokens[start + 1].tok,
        Tok::Str(_) | Tok::Bytes(_) | Tok::FString(_)
    );
    match first.tok {
        Tok::Name("match" | "case" | "_") => return None,
        Tok::Name(_) if then_string => return None,
        _ => {}
    }
    let text = source.get(first.span.start as usize..prev.span.end as usize)?;
    let left = crate::quiet_expression_at(text, first.span.start)?;
    if matches!(
        left.kind,
        crate::ast::ExprKind::IfExp { .. } | crate::ast::ExprKind::Lambda { .. }
    ) {
        return None;
    }
    let end = expression_end(tokens, index, source, false);
    Some(SyntaxError::new(
        "invalid syntax. Perhaps you forgot a comma?",
        Span::new(first.span.start, end),
    ))
}

/// The first token of the operand that ends just before token `index`: back to the
/// enclosing bracket, a `,`, `=`, `:`, `:=`, `yield` or an unpacking `*`. `None` inside a
/// conditional, lambda or comprehension clause, where CPython gives no comma hint.
fn expression_start(tokens: &[Token<'_>], index: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = index;
    while i > 0 {
        match tokens[i - 1].tok {
            Tok::RPar | Tok::RSqb | Tok::RBrace => depth += 1,
            Tok::LPar | Tok::LSqb | Tok::LBrace if depth == 0 => break,
            Tok::LPar | Tok::LSqb | Tok::LBrace => depth -= 1,
            _ if depth > 0 => {}
            Tok::Comma
            | Tok::Equal
            | Tok::Colon
            | Tok::ColonEqual
            | Tok::Yield
            | Tok::Semi
            | Tok::Newline
            | Tok::Indent
            | Tok::Dedent => break,
            Tok::Star | Tok::DoubleStar
                if i < 2
                    || matches!(
                        tokens[i - 2].tok,
                        Tok::Comma | Tok::LPar | Tok::LSqb | Tok::LBrace | Tok::Equal | Tok::Colon
                    ) =>
            {
                break
            }
            Tok::If | Tok::Else | Tok::For | Tok::Lambda | Tok::Async => return None,
            _ => {}
        }
        i -= 1;
    }
    (i < index).then_some(i)
}

/// The end of the longest expression that starts at token `index` (a tuple of them when
/// `commas`), as CPython's `expression` and `star_expressions` would parse it there; the
/// token's own end when none parses.
fn expression_end(tokens: &[Token<'_>], index: usize, source: &str, commas: bool) -> u32 {
    /// Error paths only, but each candidate is a parse: bound the quadratic worst case.
    const MAX_TOKENS: usize = 256;
    let mut depth = 0usize;
    let mut in_lambda = false;
    let mut stop = index;
    for (i, t) in tokens.iter().enumerate().skip(index).take(MAX_TOKENS) {
        match t.tok {
            Tok::LPar | Tok::LSqb | Tok::LBrace => depth += 1,
            Tok::RPar | Tok::RSqb | Tok::RBrace if depth == 0 => break,
            Tok::RPar | Tok::RSqb | Tok::RBrace => depth -= 1,
            Tok::Newline | Tok::Semi | Tok::Indent | Tok::Dedent => break,
            _ if depth > 0 => {}
            Tok::Comma if !commas => break,
            Tok::Equal | Tok::ColonEqual | Tok::For | Tok::Async | Tok::Rarrow => break,
            Tok::Lambda => in_lambda = true,
            Tok::Colon if !in_lambda => break,
            Tok::Colon => in_lambda = false,
            _ => {}
        }
        stop = i + 1;
    }
    let start = tokens[index].span.start;
    (index + 1..=stop)
        .rev()
        .map(|end| tokens[end - 1].span.end)
        .find(|&end| {
            source
                .get(start as usize..end as usize)
                .is_some_and(|text| crate::quiet_expression_at(text, start).is_some())
        })
        .unwrap_or(tokens[index].span.end)
}

/// `expected an indented block after 'if' statement on line N`, for the block header that
/// ends just before token `index`.
fn expected_block(
    index: usize,
    tokens: &[Token<'_>],
    source: &str,
    at: Span,
) -> Option<SyntaxError> {
    let header_end = index.checked_sub(1)?;
    let start = logical_line_start(tokens, header_end);
    let mut header = &tokens.get(start)?.tok;
    if *header == Tok::Async {
        header = &tokens.get(start + 1)?.tok;
    }
    let what = match header {
        Tok::Def => "function definition".to_string(),
        Tok::Class => "class definition".to_string(),
        Tok::If
        | Tok::Elif
        | Tok::Else
        | Tok::While
        | Tok::For
        | Tok::Try
        | Tok::Except
        | Tok::Finally
        | Tok::With
        | Tok::Match
        | Tok::Case => {
            format!("'{}' statement", header.text())
        }
        _ => return None,
    };
    let index_of = LineIndex::new(source);
    let line = index_of.line(tokens[start].span.start);
    let message = format!("expected an indented block after {what} on line {line}");
    if at.start >= source.len() as u32 {
        // At the end of input CPython points at the header's NEWLINE and prints no caret.
        let span = tokens[..index.min(tokens.len())]
            .iter()
            .rev()
            .find(|t| t.tok == Tok::Newline)
            .map_or(at, |t| Span::at(t.span.start));
        return Some(SyntaxError::indentation(message, span).without_caret());
    }
    let span = first_token_span(tokens, index).unwrap_or(at);
    Some(SyntaxError::indentation(message, span))
}

/// `x[0] := 1`: CPython names what cannot be assigned with `:=`. The target is the
/// expression between the enclosing bracket (or statement start) and the `:=` at `index`.
fn invalid_walrus_target(tokens: &[Token<'_>], index: usize, source: &str) -> Option<SyntaxError> {
    let mut depth = 0;
    let mut start = index;
    while start > 0 {
        match tokens[start - 1].tok {
            Tok::RPar | Tok::RSqb | Tok::RBrace => depth += 1,
            Tok::LPar | Tok::LSqb | Tok::LBrace if depth == 0 => break,
            Tok::LPar | Tok::LSqb | Tok::LBrace => depth -= 1,
            Tok::Comma | Tok::Newline | Tok::Indent | Tok::Dedent | Tok::Colon | Tok::Equal
                if depth == 0 =>
            {
                break
            }
            _ => {}
        }
        start -= 1;
    }
    let (first, last) = (tokens.get(start)?, tokens.get(index.checked_sub(1)?)?);
    if start >= index {
        return None;
    }
    let text = source.get(first.span.start as usize..last.span.end as usize)?;
    let target = crate::quiet_expression_at(text, first.span.start)?;
    if matches!(target.kind, crate::ast::ExprKind::Name(_)) {
        return None;
    }
    Some(SyntaxError::new(
        format!(
            "cannot use assignment expressions with {}",
            crate::builder::expr_name(&target)
        ),
        target.span,
    ))
}

/// A `try` body that the end of the input closes without `except` or `finally`: CPython
/// reports it on the last line, without a caret. An empty line typed in the REPL ends the
/// statement, so the error is final then; otherwise more input could still fix it.
fn try_without_handler(source: &str) -> SyntaxError {
    let last = source.len().saturating_sub(1) as u32;
    let err =
        SyntaxError::new("expected 'except' or 'finally' block", Span::at(last)).without_caret();
    if source.ends_with("\n\n") {
        err
    } else {
        err.with_incomplete()
    }
}

/// A malformed item of a dict display (CPython's `invalid_double_starred_kvpairs`): a key
/// without its `:` after other `key: value` items, a `:` without a value, a starred value.
fn invalid_dict_item(
    tokens: &[Token<'_>],
    index: usize,
    tok: &Tok<'_>,
    expected: &[String],
) -> Option<SyntaxError> {
    let prev = tokens.get(index.checked_sub(1)?)?;
    // The innermost open bracket, and the depth-0 commas inside it.
    let mut depth = 0;
    let mut open = None;
    let mut commas = Vec::new();
    for i in (0..index).rev() {
        match tokens[i].tok {
            Tok::RPar | Tok::RSqb | Tok::RBrace => depth += 1,
            Tok::LPar | Tok::LSqb | Tok::LBrace if depth == 0 => {
                open = Some(i);
                break;
            }
            Tok::LPar | Tok::LSqb | Tok::LBrace => depth -= 1,
            Tok::Comma if depth == 0 => commas.push(i),
            Tok::Newline | Tok::Indent | Tok::Dedent => return None,
            _ => {}
        }
    }
    let open = open?;
    if tokens[open].tok != Tok::LBrace {
        return None;
    }
    // Whether tokens[from..to] is a `key: value` or `**mapping` item.
    let is_pair = |from: usize, to: usize| {
        if tokens.get(from).is_some_and(|t| t.tok == Tok::DoubleStar) {
            return true;
        }
        let mut depth = 0;
        tokens[from..to].iter().any(|t| {
            match t.tok {
                Tok::LPar | Tok::LSqb | Tok::LBrace => depth += 1,
                Tok::RPar | Tok::RSqb | Tok::RBrace => depth -= 1,
                Tok::Colon if depth == 0 => return true,
                _ => {}
            }
            false
        })
    };
    let item_start = commas.first().map_or(open + 1, |&c| c + 1);
    if prev.tok == Tok::Colon && index > item_start + 1 && is_pair(item_start, index) {
        if matches!(tok, Tok::RBrace | Tok::Comma) {
            return Some(SyntaxError::new(
                "expression expected after dictionary key and ':'",
                prev.span,
            ));
        }
        if *tok == Tok::Star {
            let end = tokens
                .get(index + 1)
                .map_or(tokens[index].span.end, |t| t.span.end);
            return Some(SyntaxError::new(
                "cannot use a starred expression in a dictionary value",
                Span::new(tokens[index].span.start, end),
            ));
        }
    }
    let first_end = commas.last().copied()?;
    if expects(expected, ":")
        && *tok != Tok::Colon
        && index > item_start
        && is_pair(open + 1, first_end)
        && !is_pair(item_start, index)
    {
        let end = prev.span.end;
        return Some(SyntaxError::new(
            "':' expected after dictionary key",
            Span::new(end.saturating_sub(1), end),
        ));
    }
    None
}

/// `match x` without its `:`: the lexer left `match` a name (it only makes it a keyword
/// before a `:`), so recognise the statement here when its subject is an expression.
fn match_without_colon(
    tokens: &[Token<'_>],
    line_start: usize,
    index: usize,
    source: &str,
) -> Option<SyntaxError> {
    if tokens.get(line_start)?.tok != Tok::Name("match") {
        return None;
    }
    let subject = tokens.get(line_start + 1)?;
    if !can_start_expression(&subject.tok) || index < line_start + 1 {
        return None;
    }
    let newline = tokens[index..].iter().find(|t| t.tok == Tok::Newline)?;
    let last = tokens[line_start + 1..]
        .iter()
        .take_while(|t| t.tok != Tok::Newline)
        .last()?;
    let text = source.get(subject.span.start as usize..last.span.end as usize)?;
    crate::quiet_expression_at(text, subject.span.start)?;
    Some(SyntaxError::new(
        "expected ':'",
        Span::at(newline.span.start),
    ))
}

fn first_token_span(tokens: &[Token<'_>], index: usize) -> Option<Span> {
    tokens[index..]
        .iter()
        .find(|t| !matches!(t.tok, Tok::Newline | Tok::Indent | Tok::Dedent))
        .map(|t| t.span)
}

/// Index of the first token of the logical line that contains token `index`.
fn logical_line_start(tokens: &[Token<'_>], index: usize) -> usize {
    let mut i = index.min(tokens.len());
    while i > 0 && !matches!(tokens[i - 1].tok, Tok::Newline | Tok::Indent | Tok::Dedent) {
        i -= 1;
    }
    i
}

fn is_block_keyword(tok: &Tok<'_>) -> bool {
    matches!(
        tok,
        Tok::If
            | Tok::Elif
            | Tok::Else
            | Tok::While
            | Tok::For
            | Tok::Try
            | Tok::Except
            | Tok::Finally
            | Tok::With
            | Tok::Def
            | Tok::Class
            | Tok::Async
            | Tok::Match
            | Tok::Case
    )
}

/// True when an `if` at bracket depth zero since the line start has no `else` yet, and the
/// `if` is not the statement keyword.
fn ternary_without_else(tokens: &[Token<'_>], line_start: usize, index: usize) -> bool {
    ternary_if(tokens, line_start, index).is_some()
}

fn ternary_if(tokens: &[Token<'_>], line_start: usize, index: usize) -> Option<usize> {
    (line_start + 1..index)
        .rev()
        .find(|&i| tokens[i].tok == Tok::If)
}

fn ternary_start(tokens: &[Token<'_>], line_start: usize, index: usize) -> u32 {
    let at = ternary_if(tokens, line_start, index).unwrap_or(line_start);
    // The ternary starts at its body: the operand before `if`, after any `=` or `(`.
    let mut i = at;
    while i > line_start
        && !matches!(
            tokens[i - 1].tok,
            Tok::Equal | Tok::LPar | Tok::LSqb | Tok::LBrace | Tok::Comma | Tok::Return
        )
    {
        i -= 1;
    }
    tokens[i].span.start
}

/// True when token `index` is inside brackets that hold expressions (not a `def`'s
/// parameter list).
fn in_expression_brackets(tokens: &[Token<'_>], index: usize) -> bool {
    let mut depth = 0i32;
    for i in (0..index).rev() {
        match tokens[i].tok {
            Tok::RPar | Tok::RSqb | Tok::RBrace => depth += 1,
            Tok::LPar | Tok::LSqb | Tok::LBrace => {
                if depth == 0 {
                    let is_def = tokens[i].tok == Tok::LPar
                        && i >= 2
                        && matches!(tokens[i - 1].tok, Tok::Name(_))
                        && tokens[i - 2].tok == Tok::Def;
                    return !is_def;
                }
                depth -= 1;
            }
            Tok::Newline | Tok::Indent | Tok::Dedent => return false,
            _ => {}
        }
    }
    false
}

/// Tokens that can begin an expression.
pub fn can_start_expression(tok: &Tok<'_>) -> bool {
    matches!(
        tok,
        Tok::Name(_)
            | Tok::Int(_)
            | Tok::Float(_)
            | Tok::Imaginary(_)
            | Tok::Str(_)
            | Tok::Bytes(_)
            | Tok::FString(_)
            | Tok::None
            | Tok::True
            | Tok::False
            | Tok::Ellipsis
            | Tok::LPar
            | Tok::LSqb
            | Tok::LBrace
            | Tok::Minus
            | Tok::Plus
            | Tok::Tilde
            | Tok::Not
            | Tok::Lambda
            | Tok::Await
    )
}

fn can_end_expression(tok: &Tok<'_>) -> bool {
    matches!(
        tok,
        Tok::Name(_)
            | Tok::Int(_)
            | Tok::Float(_)
            | Tok::Imaginary(_)
            | Tok::Str(_)
            | Tok::Bytes(_)
            | Tok::FString(_)
            | Tok::None
            | Tok::True
            | Tok::False
            | Tok::Ellipsis
            | Tok::RPar
            | Tok::RSqb
            | Tok::RBrace
    )
}
