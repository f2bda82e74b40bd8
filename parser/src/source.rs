//! Turning a file's bytes into source text, as CPython does before tokenizing: a UTF-8 BOM
//! is skipped, and bytes that are not UTF-8 are a `SyntaxError` naming the file and line.

/// Decodes `bytes` read from `filename`. The error is the full last line CPython prints,
/// e.g. `SyntaxError: Non-UTF-8 code starting with '\xff' in file x.aio on line 2, but no
/// encoding declared; see https://peps.python.org/pep-0263/ for details`.
pub fn decode<'a>(bytes: &'a [u8], filename: &str) -> Result<&'a str, String> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        format!(
            "SyntaxError: Non-UTF-8 code starting with '\\x{:02x}' in file {} on line {}, but no encoding declared; \
             see https://peps.python.org/pep-0263/ for details",
            bytes[at], filename, line
        )
    })
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn skips_bom_and_reports_bad_bytes() {
        assert_eq!(decode(b"\xef\xbb\xbfx = 1\n", "f").unwrap(), "x = 1\n");
        assert_eq!(
            decode(b"x = 1\n\xff\n", "/tmp/bad.py").unwrap_err(),
            "SyntaxError: Non-UTF-8 code starting with '\\xff' in file /tmp/bad.py on line 2, but no encoding \
             declared; see https://peps.python.org/pep-0263/ for details"
        );
    }
}
