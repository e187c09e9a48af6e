//! Path safety and RECORD paths: which archive member names are acceptable, how an installed
//! path is written in RECORD (relative to the directory holding the `.dist-info`, `/`-separated,
//! `../../../bin/x` for scripts), whether a path stays inside the venv, and which files belong
//! to the venv itself.
//!
//! Member names are checked before anything is written. verse rejects (pip aborts too; uv skips
//! the member) any name that is absolute, has a `..`, `.` or empty component, a NUL, backslash or
//! other control character, or starts with a drive letter. A legitimate wheel has none of these.

use std::path::{Component, Path, PathBuf};

use super::scripts::is_interpreter_name;
use crate::venv::Venv;

/// Checks an archive member name and returns its `/`-separated components.
pub(crate) fn member_components(name: &str) -> Result<Vec<&str>, String> {
    let bad = |why: &str| {
        Err(format!(
            "unsafe member name `{}` ({why})",
            name.escape_debug()
        ))
    };
    if name.is_empty() {
        return bad("empty");
    }
    if name.chars().any(|c| c == '\\' || c.is_control()) {
        return bad("backslash or control character");
    }
    if name.starts_with('/') {
        return bad("absolute path");
    }
    let trimmed = name.strip_suffix('/').unwrap_or(name);
    let components: Vec<&str> = trimmed.split('/').collect();
    let first = components[0].as_bytes();
    if first.len() >= 2 && first[1] == b':' && first[0].is_ascii_alphabetic() {
        return bad("drive letter");
    }
    for component in &components {
        match *component {
            "" => return bad("empty path component"),
            "." | ".." => return bad("`.` or `..` component"),
            _ => {}
        }
    }
    Ok(components)
}

/// `path` relative to `base` (both absolute and free of `.`/`..`), `/`-separated: what pip's
/// `os.path.relpath` gives for RECORD.
pub(crate) fn record_path(path: &Path, base: &Path) -> String {
    let path: Vec<Component> = path.components().collect();
    let base: Vec<Component> = base.components().collect();
    let common = path.iter().zip(&base).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); base.len() - common];
    parts.extend(
        path[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

/// Resolves a RECORD path against the directory holding the `.dist-info`, lexically (`..`
/// applied, never above the filesystem root). Absolute RECORD paths stay as they are.
pub(crate) fn resolve_record_path(record_path: &str, base: &Path) -> PathBuf {
    let joined = base.join(record_path);
    let mut out = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// What `path` is, if it is one of the files that make the directory a venv: an interpreter
/// link in `bin/` or `pyvenv.cfg`. No wheel may write them and no uninstall may remove them,
/// whatever a RECORD says.
pub(crate) fn venv_own_file(venv: &Venv, path: &Path) -> Option<&'static str> {
    let name = path.file_name()?.to_string_lossy();
    if path.parent() == Some(venv.scripts.as_path()) && is_interpreter_name(&name) {
        return Some("the venv's interpreter");
    }
    if path == venv.root.join("pyvenv.cfg") {
        return Some("the venv's pyvenv.cfg");
    }
    // `lib64 -> lib` is the venv's own link; a file put there would replace it.
    if path == venv.root.join("lib64") {
        return Some("the venv's lib64 link");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_unsafe_member_names() {
        for bad in [
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a/./b",
            "a//b",
            "C:/x",
            "c:x",
            "a\\b",
            "a\0b",
            "a\nb",
            "",
        ] {
            assert!(member_components(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            member_components("pkg/sub/mod.py").unwrap(),
            ["pkg", "sub", "mod.py"]
        );
        assert_eq!(member_components("pkg/").unwrap(), ["pkg"]);
        assert!(
            member_components("ab:c/d").is_ok(),
            "only a single letter is a drive"
        );
    }

    #[test]
    fn record_paths_are_relative_to_site_packages() {
        let sp = Path::new("/v/lib/python3.11/site-packages");
        assert_eq!(
            record_path(Path::new("/v/bin/demo"), sp),
            "../../../bin/demo"
        );
        assert_eq!(record_path(&sp.join("pkg/a.py"), sp), "pkg/a.py");
        assert_eq!(
            record_path(Path::new("/v/include/site/python3.11/demo-pkg/d.h"), sp),
            "../../../include/site/python3.11/demo-pkg/d.h"
        );
        assert_eq!(
            resolve_record_path("../../../bin/demo", sp),
            Path::new("/v/bin/demo")
        );
        assert_eq!(
            resolve_record_path("../../../../../../../etc/passwd", sp),
            Path::new("/etc/passwd")
        );
        assert_eq!(resolve_record_path("/abs/x", sp), Path::new("/abs/x"));
    }
}
