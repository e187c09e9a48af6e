//! Name normalization (PEP 503), the PEP 508 name rule, and dependency-group names.

use std::fmt;

/// Normalizes a distribution, extra or group name the PEP 503 way: lowercase, with every
/// run of `-`, `_` and `.` replaced by a single `-`.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut last_was_separator = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            if !last_was_separator {
                out.push('-');
            }
            last_was_separator = true;
        } else {
            out.push(c.to_ascii_lowercase());
            last_was_separator = false;
        }
    }
    out
}

/// Whether `name` is a valid distribution name (PEP 508, the core metadata `Name` rule):
/// ASCII letters, digits, `.`, `_` and `-`, starting and ending with a letter or digit.
/// `PackageName::from_str` normalizes without checking this (it takes `""`).
/// [`NAME_RULE`] says it in words, for error messages.
pub fn is_valid_name(name: &str) -> bool {
    let alphanumeric = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    alphanumeric(name.chars().next())
        && alphanumeric(name.chars().last())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// The rule [`is_valid_name`] checks, in words.
pub const NAME_RULE: &str =
    "letters, digits, `.`, `_` and `-`, starting and ending with a letter or digit";

/// A dependency group (`main`, `dev`, `docs`, ...), normalized like a package name because
/// Poetry normalizes group names since 2.2 and compares them that way.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GroupName(String);

impl GroupName {
    pub fn new(name: &str) -> Self {
        GroupName(normalize(name))
    }

    /// The implicit group of the project's own dependencies; never optional.
    pub fn main() -> Self {
        GroupName("main".to_string())
    }

    pub fn is_main(&self) -> bool {
        self.0 == "main"
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for GroupName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_runs_of_separators() {
        assert_eq!(normalize("Foo.Bar__baz-_-Qux"), "foo-bar-baz-qux");
        assert_eq!(normalize("PySocks"), "pysocks");
        assert_eq!(normalize("charset_normalizer"), "charset-normalizer");
        assert_eq!(GroupName::new("Dev_Tools").as_str(), "dev-tools");
    }
}
