//! Poetry's `content-hash`: the sha256 of selected `pyproject.toml` sections, serialized
//! exactly as Python's `json.dumps(content, sort_keys=True)` would (poetry-lock.md §5.3,
//! Poetry 2.5.1 `Locker._get_content_hash`), and the freshness check built on it
//! (`Locker.is_fresh`).
//!
//! This module owns the hash and the JSON rendering only; reading `pyproject.toml` is
//! [`super::pyproject`]'s job and reading the lock is [`super::poetry_lock`]'s.

use std::fmt::Write as _;

use sha2::{Digest, Sha256};

use super::{Lock, Project};
use crate::packaging::hash::to_hex;
use crate::packaging::Version;

/// `[tool.poetry]` keys Poetry 1.x always hashed (as `null` when missing).
const LEGACY_KEYS: [&str; 4] = ["dependencies", "source", "extras", "dev-dependencies"];
/// Every hashed `[tool.poetry]` key, in the order Poetry reads them (order is irrelevant
/// after `sort_keys`, kept for fidelity).
const RELEVANT_KEYS: [&str; 5] = [
    "dependencies",
    "source",
    "extras",
    "dev-dependencies",
    "group",
];
const RELEVANT_PROJECT_KEYS: [&str; 3] =
    ["requires-python", "dependencies", "optional-dependencies"];

/// The content hash Poetry ≥ 2.3 writes for this pyproject (with `[dependency-groups]`).
pub fn content_hash(pyproject: &toml::Table) -> String {
    hash_of(pyproject, true)
}

/// The hash Poetry < 2.3 wrote (without `[dependency-groups]`), or `None` when it equals
/// [`content_hash`] because there are no dependency groups.
pub fn legacy_content_hash(pyproject: &toml::Table) -> Option<String> {
    let has_groups = pyproject
        .get("dependency-groups")
        .and_then(toml::Value::as_table)
        .is_some_and(|t| !t.is_empty());
    has_groups.then(|| hash_of(pyproject, false))
}

/// Whether the lock was made from this pyproject, as Poetry 2.3+ decides it: the current
/// hash matches, or the lock was written by Poetry < 2.3 (per its header line) and the
/// pre-2.3 hash matches. A lock without a content hash is never fresh.
pub fn is_fresh(project: &Project, lock: &Lock) -> bool {
    let Some(locked) = lock.content_hash.as_deref() else {
        return false;
    };
    if locked == project.content_hash {
        return true;
    }
    // Poetry parses the header's version and silently gives up on anything unparsable.
    let written_before_2_3 = lock
        .generated_by
        .as_deref()
        .and_then(|v| v.parse::<Version>().ok())
        .is_some_and(|v| v < Version::new([2, 3, 0]));
    if !written_before_2_3 {
        return false;
    }
    // `legacy_content_hash` is `None` exactly when it would equal `content_hash`.
    let legacy = project
        .legacy_content_hash
        .as_deref()
        .unwrap_or(&project.content_hash);
    locked == legacy
}

fn hash_of(pyproject: &toml::Table, with_dependency_groups: bool) -> String {
    let empty = toml::Table::new();
    let project = pyproject
        .get("project")
        .and_then(toml::Value::as_table)
        .unwrap_or(&empty);
    let groups = if with_dependency_groups {
        pyproject
            .get("dependency-groups")
            .and_then(toml::Value::as_table)
            .unwrap_or(&empty)
    } else {
        &empty
    };
    let poetry = pyproject
        .get("tool")
        .and_then(|t| t.get("poetry"))
        .and_then(toml::Value::as_table)
        .unwrap_or(&empty);

    let mut relevant_project = Json::object();
    for key in RELEVANT_PROJECT_KEYS {
        if let Some(value) = project.get(key) {
            relevant_project.insert(key, Json::Toml(value));
        }
    }
    let has_project = !relevant_project.is_empty_object();

    let mut relevant_poetry = Json::object();
    for key in RELEVANT_KEYS {
        match poetry.get(key) {
            Some(value) => relevant_poetry.insert(key, Json::Toml(value)),
            // Legacy keys are hashed as null for backwards compatibility, but only when
            // there is neither a [project] part nor dependency groups.
            None if LEGACY_KEYS.contains(&key) && !has_project && groups.is_empty() => {
                relevant_poetry.insert(key, Json::Null);
            }
            None => {}
        }
    }

    let content = if has_project || !groups.is_empty() {
        let mut content = Json::object();
        if has_project {
            content.insert("project", relevant_project);
        }
        if !groups.is_empty() {
            content.insert("dependency-groups", Json::Table(groups));
        }
        let mut tool = Json::object();
        tool.insert("poetry", relevant_poetry);
        content.insert("tool", tool);
        content
    } else {
        // Poetry puts the [tool.poetry] part at the top level here, as 1.x did.
        relevant_poetry
    };

    let mut json = String::new();
    content.write(&mut json);
    to_hex(&Sha256::digest(json.as_bytes()))
}

/// The value tree handed to `json.dumps`: pyproject values plus the dictionaries Poetry
/// builds around them.
enum Json<'a> {
    Null,
    Toml(&'a toml::Value),
    Table(&'a toml::Table),
    Object(Vec<(&'static str, Json<'a>)>),
}

impl<'a> Json<'a> {
    fn object() -> Self {
        Json::Object(Vec::new())
    }

    fn insert(&mut self, key: &'static str, value: Json<'a>) {
        if let Json::Object(entries) = self {
            entries.push((key, value));
        }
    }

    fn is_empty_object(&self) -> bool {
        matches!(self, Json::Object(entries) if entries.is_empty())
    }

    fn write(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Toml(value) => write_value(value, out),
            Json::Table(table) => write_table(table, out),
            Json::Object(entries) => {
                let mut sorted: Vec<_> = entries.iter().collect();
                sorted.sort_by(|a, b| a.0.cmp(b.0));
                out.push('{');
                for (i, (key, value)) in sorted.into_iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write_string(key, out);
                    out.push_str(": ");
                    value.write(out);
                }
                out.push('}');
            }
        }
    }
}

/// Renders one TOML value as `json.dumps(value, sort_keys=True)` renders what `tomllib`
/// makes of it.
pub(crate) fn write_value(value: &toml::Value, out: &mut String) {
    match value {
        toml::Value::String(s) => write_string(s, out),
        toml::Value::Integer(i) => {
            let _ = write!(out, "{i}");
        }
        toml::Value::Float(f) => write_float(*f, out),
        toml::Value::Boolean(b) => out.push_str(if *b { "true" } else { "false" }),
        // `json.dumps` raises on the `datetime` objects tomllib makes, so Poetry cannot
        // lock such a pyproject at all; hashing the TOML text keeps us total.
        toml::Value::Datetime(d) => write_string(&d.to_string(), out),
        toml::Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(item, out);
            }
            out.push(']');
        }
        toml::Value::Table(table) => write_table(table, out),
    }
}

fn write_table(table: &toml::Table, out: &mut String) {
    // Python sorts str keys by code point; Rust's `str` order (UTF-8 bytes) is the same.
    let mut keys: Vec<&String> = table.keys().collect();
    keys.sort();
    out.push('{');
    for (i, key) in keys.into_iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_string(key, out);
        out.push_str(": ");
        write_value(&table[key.as_str()], out);
    }
    out.push('}');
}

/// `ensure_ascii=True` string encoding (CPython `py_encode_basestring_ascii`): printable
/// ASCII as is, short escapes for `"` `\` and five controls, `\uXXXX` (lowercase hex,
/// surrogate pairs above the BMP) for everything else, DEL included.
fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}

/// `float.__repr__`: the shortest round-tripping digits, fixed notation when the decimal
/// exponent is in [-4, 16), else `d.ddde+XX`; `json` spells the non-finite values
/// `NaN`, `Infinity`, `-Infinity`.
fn write_float(f: f64, out: &mut String) {
    if f.is_nan() {
        out.push_str("NaN");
        return;
    }
    if f.is_infinite() {
        out.push_str(if f > 0.0 { "Infinity" } else { "-Infinity" });
        return;
    }
    if f == 0.0 {
        out.push_str(if f.is_sign_negative() { "-0.0" } else { "0.0" });
        return;
    }
    // Rust's `{:e}` also prints the shortest round-tripping digits: `-1.2345e-5`.
    let sci = format!("{f:e}");
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let (negative, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    // Position of the decimal point relative to the first digit (CPython's `decpt`).
    let decpt = exponent + 1;
    if negative {
        out.push('-');
    }
    if (-4 < decpt) && (decpt <= 16) {
        let n = digits.len() as i32;
        if decpt <= 0 {
            out.push_str("0.");
            for _ in 0..(-decpt) {
                out.push('0');
            }
            out.push_str(&digits);
        } else if decpt >= n {
            out.push_str(&digits);
            for _ in 0..(decpt - n) {
                out.push('0');
            }
            out.push_str(".0");
        } else {
            let (int, frac) = digits.split_at(decpt as usize);
            out.push_str(int);
            out.push('.');
            out.push_str(frac);
        }
    } else {
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        let sign = if exponent < 0 { '-' } else { '+' };
        let _ = write!(out, "e{sign}{:02}", exponent.abs());
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};
    use std::process::Command;

    use super::*;

    fn fixtures() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lock")
    }

    fn read_table(path: &Path) -> toml::Table {
        let text = fs_err::read_to_string(path).unwrap();
        toml::from_str(&text).unwrap()
    }

    /// The `content-hash` line of a lock, read as text so this test does not depend on
    /// the lock reader.
    fn locked_hash(lock: &Path) -> String {
        let text = fs_err::read_to_string(lock).unwrap();
        let line = text
            .lines()
            .find(|l| l.starts_with("content-hash"))
            .unwrap();
        line.split('"').nth(1).unwrap().to_string()
    }

    fn check_dir(dir: &Path) {
        let pyproject = read_table(&dir.join("pyproject.toml"));
        assert_eq!(
            content_hash(&pyproject),
            locked_hash(&dir.join("poetry.lock")),
            "{}",
            dir.display()
        );
    }

    #[test]
    fn reproduces_the_six_sample_locks() {
        let samples = fixtures().join("samples");
        let mut seen = 0;
        for entry in fs_err::read_dir(&samples).unwrap() {
            check_dir(&entry.unwrap().path());
            seen += 1;
        }
        assert_eq!(seen, 6);
    }

    #[test]
    fn reproduces_the_bench_scenarios() {
        let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/scenarios");
        for name in ["datasci-large", "django", "seed-fastapi", "tiny"] {
            check_dir(&scenarios.join(name));
        }
    }

    /// Observed (poetry-lock.md §5.3): this pyproject with `[dependency-groups]` hashes to
    /// `5579736e…` with Poetry 2.5.1; the legacy hash must differ and be accepted only for
    /// locks written by Poetry < 2.3.
    #[test]
    fn legacy_hash_skips_dependency_groups() {
        let dir = fixtures().join("samples/poetry-2.5.1_lock-2.1_pep621-groups-extras-markers");
        let pyproject = read_table(&dir.join("pyproject.toml"));
        let legacy = legacy_content_hash(&pyproject).unwrap();
        assert_ne!(legacy, content_hash(&pyproject));
        let mut without = pyproject.clone();
        without.remove("dependency-groups");
        assert_eq!(legacy, content_hash(&without));
        assert_eq!(legacy_content_hash(&without), None);
    }

    fn python_json(toml_src: &str) -> Option<String> {
        let script = "import json,sys,tomllib\nprint(json.dumps(tomllib.loads(sys.argv[1]), sort_keys=True), end='')";
        let output = Command::new("python3")
            .args(["-c", script, toml_src])
            .output()
            .ok()?;
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        Some(String::from_utf8(output.stdout).unwrap())
    }

    #[test]
    fn json_matches_python_byte_for_byte() {
        let src = r#"
ascii = "plain \"quoted\" back\\slash"
controls = "tab\tnl\ncr\rbell\u0007del\u007fff\fbs\b"
latin = "Zoë Ça café"
cjk = "依存関係"
astral = "emoji 😀 𝄞"
empty = ""
ints = [0, -1, 9223372036854775807, -9223372036854775808]
floats = [0.0, -0.0, 1.0, 1.5, 0.1, 1e16, 1e15, 123456789012345678.0, 1e-4, 1e-5, 1.5e-7, -2.5e300, 3.14159, inf, -inf, nan]
bools = [true, false]
nested = { "z" = 1, "a" = { "é" = [], "b" = {} }, "A" = "x", "_" = "y" }
"ключ" = "значение"
"#;
        let table: toml::Table = toml::from_str(src).unwrap();
        let mut ours = String::new();
        write_table(&table, &mut ours);
        let Some(theirs) = python_json(src) else {
            panic!("python3 is needed as the oracle for this test");
        };
        assert_eq!(ours, theirs);
    }

    #[test]
    fn non_ascii_pyproject_hash_matches_python() {
        let src = r#"
[tool.poetry.dependencies]
python = "^3.9"
"naïve-pkg" = { version = "^1.0", markers = "platform_release == 'β'" }

[tool.poetry.extras]
"日本" = ["naïve-pkg"]
"#;
        let table: toml::Table = toml::from_str(src).unwrap();
        let script = r#"
import hashlib, json, sys, tomllib
d = tomllib.loads(sys.argv[1])["tool"]["poetry"]
c = {k: d.get(k) for k in ("dependencies", "source", "extras", "dev-dependencies")}
print(hashlib.sha256(json.dumps(c, sort_keys=True).encode()).hexdigest(), end="")
"#;
        let output = Command::new("python3")
            .args(["-c", script, src])
            .output()
            .unwrap();
        assert!(output.status.success());
        assert_eq!(
            content_hash(&table),
            String::from_utf8(output.stdout).unwrap()
        );
    }
}
