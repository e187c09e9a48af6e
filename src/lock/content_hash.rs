//! Poetry's `content-hash`: sha256 of selected pyproject sections serialized exactly as
//! Python's `json.dumps(..., sort_keys=True)`. OWNER: helper "lock".
//!
//! NOTE (testkit branch): a minimal implementation so the integration-test kit compiles before
//! the lock helper's version lands; on merge, take the lock helper's file in full.

use sha2::{Digest, Sha256};
use toml::{Table, Value};

/// The `content-hash` Poetry 2.5.1 (`Locker._get_content_hash`) writes for this pyproject.
pub fn content_hash(pyproject: &Table) -> String {
    let project = pyproject.get("project").and_then(Value::as_table);
    let mut relevant_project = Table::new();
    for key in ["requires-python", "dependencies", "optional-dependencies"] {
        if let Some(value) = project.and_then(|p| p.get(key)) {
            relevant_project.insert(key.to_string(), value.clone());
        }
    }
    let groups = pyproject
        .get("dependency-groups")
        .and_then(Value::as_table)
        .cloned()
        .unwrap_or_default();
    let poetry = pyproject
        .get("tool")
        .and_then(|t| t.get("poetry"))
        .and_then(Value::as_table);
    let modern = !relevant_project.is_empty() || !groups.is_empty();

    let legacy = ["dependencies", "source", "extras", "dev-dependencies"];
    let mut relevant_poetry = Vec::new();
    for key in legacy.iter().copied().chain(["group"]) {
        match poetry.and_then(|p| p.get(key)) {
            Some(value) => relevant_poetry.push((key.to_string(), Json::from(value))),
            None if legacy.contains(&key) && !modern => {
                relevant_poetry.push((key.to_string(), Json::Null))
            }
            None => {}
        }
    }
    let relevant_poetry = Json::Object(relevant_poetry);
    let content = if modern {
        let mut top = Vec::new();
        if !relevant_project.is_empty() {
            top.push((
                "project".to_string(),
                Json::from(&Value::Table(relevant_project)),
            ));
        }
        if !groups.is_empty() {
            top.push((
                "dependency-groups".to_string(),
                Json::from(&Value::Table(groups)),
            ));
        }
        top.push((
            "tool".to_string(),
            Json::Object(vec![("poetry".to_string(), relevant_poetry)]),
        ));
        Json::Object(top)
    } else {
        relevant_poetry
    };
    let mut text = String::new();
    content.write(&mut text);
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The JSON values Python's `json.dumps` sees.
enum Json {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl From<&Value> for Json {
    fn from(value: &Value) -> Self {
        match value {
            Value::String(s) => Json::Str(s.clone()),
            Value::Integer(i) => Json::Int(*i),
            Value::Float(f) => Json::Float(*f),
            Value::Boolean(b) => Json::Bool(*b),
            Value::Datetime(d) => Json::Str(d.to_string()),
            Value::Array(items) => Json::Array(items.iter().map(Json::from).collect()),
            Value::Table(table) => Json::Object(
                table
                    .iter()
                    .map(|(k, v)| (k.clone(), Json::from(v)))
                    .collect(),
            ),
        }
    }
}

impl Json {
    /// `json.dumps(self, sort_keys=True)`: `", "` / `": "` separators, ASCII-only output.
    fn write(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Int(i) => out.push_str(&i.to_string()),
            Json::Float(f) => out.push_str(&format!("{f:?}")),
            Json::Str(s) => write_str(s, out),
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Json::Object(entries) => {
                let mut sorted: Vec<&(String, Json)> = entries.iter().collect();
                sorted.sort_by(|a, b| a.0.cmp(&b.0));
                out.push('{');
                for (i, (key, value)) in sorted.into_iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write_str(key, out);
                    out.push_str(": ");
                    value.write(out);
                }
                out.push('}');
            }
        }
    }
}

fn write_str(s: &str, out: &mut String) {
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
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
}
