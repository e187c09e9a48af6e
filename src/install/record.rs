//! RECORD files (the spec's "recording installed projects"): reading the CSV a wheel ships,
//! writing the one pip writes, and the `sha256=<urlsafe b64, no padding>` digests in it.
//!
//! The CSV dialect is Python's `csv` module default, because that is what pip reads and writes:
//! `,` separator, `"` quoting (doubled inside), fields quoted only when they need it, and rows
//! ended by `\r\n` (pip opens RECORD with `newline=""`, so the writer's `\r\n` reaches the disk).

use base64::Engine;
use sha2::{Digest, Sha256};

/// One RECORD row: path, hash and size as text (sizes stay text because pip copies the
/// wheel's own field through unchanged, whatever it holds).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Row {
    pub path: String,
    pub hash: String,
    pub size: String,
}

impl Row {
    /// A row for bytes verse wrote itself: a fresh sha256 and the length.
    pub fn for_content(path: String, content: &[u8]) -> Row {
        Row {
            path,
            hash: digest(content),
            size: content.len().to_string(),
        }
    }
}

/// `sha256=<urlsafe base64 without padding>`, the RECORD form of a digest.
pub(crate) fn digest(content: &[u8]) -> String {
    format!("sha256={}", encode_digest(&Sha256::digest(content)))
}

pub(crate) fn encode_digest(digest: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)
}

/// Parses RECORD text into rows of fields, like `csv.reader(text.splitlines())`.
pub(crate) fn parse(text: &str) -> Result<Vec<Vec<String>>, String> {
    let mut rows = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            // csv.reader yields [] for an empty line; pip would then fail on row[0]. Skipping it
            // is the only sensible reading.
            continue;
        }
        rows.push(parse_line(line).map_err(|m| format!("RECORD line {}: {m}", number + 1))?);
    }
    Ok(rows)
}

fn parse_line(line: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut at_field_start = true;
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
        } else if c == '"' && at_field_start {
            quoted = true;
            at_field_start = false;
        } else if c == ',' {
            fields.push(std::mem::take(&mut field));
            at_field_start = true;
        } else {
            field.push(c);
            at_field_start = false;
        }
    }
    if quoted {
        return Err("unterminated quoted field".into());
    }
    fields.push(field);
    Ok(fields)
}

/// Writes rows as `csv.writer` does (QUOTE_MINIMAL, `\r\n`), in the order given.
pub(crate) fn write(rows: &[Row]) -> String {
    let mut out = String::new();
    for row in rows {
        for (i, field) in [&row.path, &row.hash, &row.size].into_iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            if field.contains([',', '"', '\r', '\n']) {
                out.push('"');
                out.push_str(&field.replace('"', "\"\""));
                out.push('"');
            } else {
                out.push_str(field);
            }
        }
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_matches_pip() {
        // python -c "import hashlib,base64;print(base64.urlsafe_b64encode(
        //   hashlib.sha256(b'pip\n').digest()).rstrip(b'='))"
        assert_eq!(
            digest(b"pip\n"),
            "sha256=zuuue4knoyJ-UwPPXg8fezS7VCrXJQrAP7zeNuwvFQg"
        );
        assert_eq!(
            digest(b""),
            "sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"
        );
    }

    #[test]
    fn round_trips_quoted_fields() {
        let text = "a.py,sha256=x,3\r\n\"we,ird \"\"name\"\".py\",,\nRECORD,,\n";
        let rows = parse(text).unwrap();
        assert_eq!(rows[1], ["we,ird \"name\".py", "", ""]);
        assert_eq!(rows[2], ["RECORD", "", ""]);
        let written = write(&[Row {
            path: rows[1][0].clone(),
            hash: String::new(),
            size: String::new(),
        }]);
        assert_eq!(written, "\"we,ird \"\"name\"\".py\",,\r\n");
        assert!(parse("\"open,,\n").is_err());
    }
}
