//! Poetry's `content-hash`: sha256 of selected pyproject sections serialized exactly as
//! Python's `json.dumps(..., sort_keys=True)`. OWNER: helper "lock".

// Provisional until the "lock" branch lands; the signatures are the contract.
use super::{Lock, Project};

pub fn content_hash(pyproject: &toml::Table) -> String {
    let _ = pyproject;
    String::new()
}

pub fn legacy_content_hash(pyproject: &toml::Table) -> Option<String> {
    let _ = pyproject;
    None
}

pub fn is_fresh(project: &Project, lock: &Lock) -> bool {
    lock.content_hash.as_deref() == Some(project.content_hash.as_str())
}
