//! A parsed TOML file that remembers where every value came from, so that the lock and
//! pyproject readers can say `poetry.lock: line 12, column 11: ...` about a bad value, not
//! only about a syntax error.
//!
//! It wraps `toml`'s span-keeping document parser (`DeTable`); it knows nothing about
//! Poetry.

use std::ops::Range;
use std::path::Path;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::LockError;

pub(super) type Value<'i> = Spanned<DeValue<'i>>;
pub(super) type Table<'i> = DeTable<'i>;

/// The text of one file and its path, for error messages.
pub(super) struct Doc<'a> {
    pub path: &'a Path,
    pub src: &'a str,
}

impl<'a> Doc<'a> {
    /// Reads a file; a leading byte-order mark is dropped (Windows editors write one).
    pub fn read(path: &Path) -> Result<String, LockError> {
        let text = fs_err::read_to_string(path).map_err(|source| LockError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(match text.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_string(),
            None => text,
        })
    }

    pub fn new(path: &'a Path, src: &'a str) -> Self {
        Doc { path, src }
    }

    pub fn parse(&self) -> Result<Table<'a>, LockError> {
        DeTable::parse(self.src)
            .map(Spanned::into_inner)
            .map_err(|err| {
                let (line, column) = self.location(err.span().map_or(0, |s| s.start));
                LockError::Syntax {
                    path: self.path.to_path_buf(),
                    line,
                    column,
                    message: err.message().trim().to_string(),
                }
            })
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn location(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.src.len());
        while !self.src.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.src[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        (line, column)
    }

    /// A bad value: `Invalid`, its message prefixed with where the value is.
    pub fn invalid(&self, span: Range<usize>, message: impl std::fmt::Display) -> LockError {
        let (line, column) = self.location(span.start);
        LockError::Invalid {
            path: self.path.to_path_buf(),
            message: format!("line {line}, column {column}: {message}"),
        }
    }

    /// A problem that belongs to no single value.
    pub fn invalid_file(&self, message: impl std::fmt::Display) -> LockError {
        LockError::Invalid {
            path: self.path.to_path_buf(),
            message: message.to_string(),
        }
    }

    pub fn str<'v>(&self, value: &'v Value<'a>, what: &str) -> Result<&'v str, LockError> {
        value
            .get_ref()
            .as_str()
            .ok_or_else(|| self.wrong_type(value, what, "a string"))
    }

    pub fn bool(&self, value: &Value<'a>, what: &str) -> Result<bool, LockError> {
        value
            .get_ref()
            .as_bool()
            .ok_or_else(|| self.wrong_type(value, what, "true or false"))
    }

    pub fn table<'v>(&self, value: &'v Value<'a>, what: &str) -> Result<&'v Table<'a>, LockError> {
        value
            .get_ref()
            .as_table()
            .ok_or_else(|| self.wrong_type(value, what, "a table"))
    }

    pub fn array<'v>(
        &self,
        value: &'v Value<'a>,
        what: &str,
    ) -> Result<&'v [Value<'a>], LockError> {
        match value.get_ref() {
            DeValue::Array(items) => Ok(items),
            _ => Err(self.wrong_type(value, what, "an array")),
        }
    }

    /// An array of strings.
    pub fn strings<'v>(&self, value: &'v Value<'a>, what: &str) -> Result<Vec<&'v str>, LockError> {
        self.array(value, what)?
            .iter()
            .map(|item| self.str(item, what))
            .collect()
    }

    pub fn opt_str<'v>(
        &self,
        table: &'v Table<'a>,
        key: &str,
        what: &str,
    ) -> Result<Option<&'v str>, LockError> {
        table
            .get(key)
            .map(|v| self.str(v, &format!("{what}: `{key}`")))
            .transpose()
    }

    pub fn opt_bool(
        &self,
        table: &Table<'a>,
        key: &str,
        what: &str,
    ) -> Result<Option<bool>, LockError> {
        table
            .get(key)
            .map(|v| self.bool(v, &format!("{what}: `{key}`")))
            .transpose()
    }

    pub fn opt_table<'v>(
        &self,
        table: &'v Table<'a>,
        key: &str,
        what: &str,
    ) -> Result<Option<&'v Table<'a>>, LockError> {
        table
            .get(key)
            .map(|v| self.table(v, &format!("{what}: `{key}`")))
            .transpose()
    }

    fn wrong_type(&self, value: &Value<'a>, what: &str, expected: &str) -> LockError {
        self.invalid(
            value.span(),
            format!(
                "{what} must be {expected}, not {}",
                value.get_ref().type_str()
            ),
        )
    }
}

/// A table's entries in the order they appear in the file (the map itself is sorted), as
/// (key, key span, value).
pub(super) fn entries_in_order<'t, 'a>(
    table: &'t Table<'a>,
) -> Vec<(&'t str, Range<usize>, &'t Value<'a>)> {
    let mut entries: Vec<_> = table
        .iter()
        .map(|(k, v)| (k.get_ref().as_ref(), k.span(), v))
        .collect();
    entries.sort_by_key(|(_, span, _)| span.start);
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_one_based_and_count_characters() {
        let doc = Doc::new(Path::new("x.toml"), "a = 1\nbé = \"x\"\n");
        assert_eq!(doc.location(0), (1, 1));
        assert_eq!(doc.location(6), (2, 1));
        // "bé = " is 6 bytes but 5 characters.
        assert_eq!(doc.location(12), (2, 6));
        assert_eq!(doc.location(1000), (3, 1));
    }

    #[test]
    fn syntax_errors_carry_line_and_column() {
        let doc = Doc::new(Path::new("x.toml"), "a = 1\nb = [1,\nc = 2\n");
        match doc.parse() {
            Err(LockError::Syntax { line, column, .. }) => assert_eq!((line, column), (3, 3)),
            other => panic!("{other:?}"),
        }
    }
}
