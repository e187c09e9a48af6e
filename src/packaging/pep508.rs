//! The one door to `pep508_rs` parsing. pep508_rs 0.9.2 panics on a non-ASCII character where
//! it expects `and`/`or` (its cursor measures a run in characters, then slices bytes; a quoted
//! string there is no protection); found by `fuzz/` (target `marker`). Markers and requirements
//! in real locks are ASCII (names, versions, the marker variables' values), so non-ASCII text
//! is refused here, as an error, before pep508_rs sees it.

use std::str::FromStr;

use pep508_rs::{MarkerTree, Requirement, VerbatimUrl};

/// Refuses text with a non-ASCII character.
pub fn check_text(text: &str) -> Result<(), String> {
    match text.char_indices().find(|(_, c)| !c.is_ascii()) {
        Some((index, c)) => Err(format!(
            "unexpected character {c:?} at byte {index} (verse reads markers and requirements in ASCII only)"
        )),
        None => Ok(()),
    }
}

pub fn parse_marker(text: &str) -> Result<MarkerTree, String> {
    check_text(text)?;
    MarkerTree::from_str(text).map_err(|e| e.to_string())
}

pub fn parse_requirement(text: &str) -> Result<Requirement<VerbatimUrl>, String> {
    check_text(text)?;
    Requirement::from_str(text).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_input_that_crashed_pep508_rs_is_an_error() {
        // fuzz/artifacts/marker/crash-fb4546fd…: pep508_rs 0.9.2 panics on it.
        let crash = "\",\"==\",=!\"==,=!\"==\u{0}\",\"\u{12}x==|\u{57e}";
        assert!(parse_marker(crash).is_err());
        assert!(parse_marker("python_version < '3.11' and sys_platform == \"linux\"").is_ok());
        // Quoted non-ASCII where an operator is expected crashed pep508_rs too.
        assert!(parse_marker("python_version == \"3\" \"վ\"").is_err());
        assert!(parse_requirement("demo (>=1.0) ; python_version < \"3.11\" վ").is_err());
        assert!(parse_requirement("demo (>=1.0) ; python_version < \"3.11\"").is_ok());
    }
}
