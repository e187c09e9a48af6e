//! Writes the static simple index that makes a folder of files usable as an index: for the
//! files `<dest>/<file>`, the pages
//!
//! * `<dest>/simple/index.html` and `index.json`: the project list;
//! * `<dest>/simple/<project>/index.html` (PEP 503: one anchor per file, the href relative,
//!   `../../<file>#sha256=<hex>`) and `index.json` (PEP 691 JSON, same files, same relative
//!   URLs, `hashes: {sha256}`).
//!
//! So the folder works as `--find-links DIR`, as `--index-url file:///DIR/simple`, and behind
//! any static HTTP server (which serves `index.html` for a directory; to serve the JSON pages a
//! server maps `Accept: application/vnd.pypi.simple.v1+json` to `index.json`). The page text is
//! built by pure functions; [`write`] only writes it, atomically per page.

use std::collections::BTreeMap;
use std::path::Path;

use crate::packaging::PackageName;

/// One file the index lists.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct IndexedFile {
    pub project: PackageName,
    pub filename: String,
    /// Lowercase hex sha256 of the file's content.
    pub sha256: String,
}

/// The API version the JSON pages declare (PEP 691).
const API_VERSION: &str = "1.0";

/// `simple/index.html`: one anchor per project.
pub fn root_html(projects: &[&PackageName]) -> String {
    let mut out = String::from(
        "<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"1.0\">\n    <title>Simple index</title>\n  </head>\n  <body>\n",
    );
    for project in projects {
        out.push_str(&format!(
            "    <a href=\"{0}/\">{0}</a><br/>\n",
            escape(project.as_ref())
        ));
    }
    out.push_str("  </body>\n</html>\n");
    out
}

/// `simple/index.json`.
pub fn root_json(projects: &[&PackageName]) -> String {
    let value = serde_json::json!({
        "meta": {"api-version": API_VERSION},
        "projects": projects.iter().map(|p| serde_json::json!({"name": p.to_string()})).collect::<Vec<_>>(),
    });
    format!("{value:#}\n")
}

/// `simple/<project>/index.html`.
pub fn project_html(project: &PackageName, files: &[&IndexedFile]) -> String {
    let mut out = format!(
        "<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"1.0\">\n    <title>Links for {0}</title>\n  </head>\n  <body>\n    <h1>Links for {0}</h1>\n",
        escape(project.as_ref())
    );
    for file in files {
        out.push_str(&format!(
            "    <a href=\"../../{}#sha256={}\">{}</a><br/>\n",
            escape(&href(&file.filename)),
            file.sha256,
            escape(&file.filename)
        ));
    }
    out.push_str("  </body>\n</html>\n");
    out
}

/// `simple/<project>/index.json`.
pub fn project_json(project: &PackageName, files: &[&IndexedFile]) -> String {
    let value = serde_json::json!({
        "meta": {"api-version": API_VERSION},
        "name": project.to_string(),
        "files": files.iter().map(|f| serde_json::json!({
            "filename": f.filename,
            "url": format!("../../{}", href(&f.filename)),
            "hashes": {"sha256": f.sha256},
        })).collect::<Vec<_>>(),
    });
    format!("{value:#}\n")
}

/// Writes every page for `files` under `<dest>/simple`, replacing earlier pages. Pages of
/// projects no longer present are left alone only if their directory holds other things;
/// verse's own pages are rewritten from scratch each time.
pub fn write(dest: &Path, files: &[IndexedFile]) -> std::io::Result<usize> {
    let mut by_project: BTreeMap<&PackageName, Vec<&IndexedFile>> = BTreeMap::new();
    for file in files {
        by_project.entry(&file.project).or_default().push(file);
    }
    for list in by_project.values_mut() {
        list.sort_by(|a, b| a.filename.cmp(&b.filename));
        list.dedup_by(|a, b| a.filename == b.filename);
    }
    let simple = dest.join("simple");
    fs_err::create_dir_all(&simple)?;
    let projects: Vec<&PackageName> = by_project.keys().copied().collect();
    write_atomic(&simple.join("index.html"), &root_html(&projects))?;
    write_atomic(&simple.join("index.json"), &root_json(&projects))?;
    for (project, list) in &by_project {
        let dir = simple.join(project.as_ref());
        fs_err::create_dir_all(&dir)?;
        write_atomic(&dir.join("index.html"), &project_html(project, list))?;
        write_atomic(&dir.join("index.json"), &project_json(project, list))?;
    }
    Ok(by_project.len())
}

/// Writes beside the target then renames, so a reader never sees half a page.
fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new().prefix(".page-").tempfile_in(dir)?;
    std::io::Write::write_all(&mut temp, text.as_bytes())?;
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// A file name as a relative URL path segment (`+` and friends percent-encoded, as PyPI does).
fn href(filename: &str) -> String {
    let mut out = String::with_capacity(filename.len());
    for byte in filename.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::locate::simple_api::{parse_html, parse_json};
    use reqwest::Url;

    fn file(project: &str, filename: &str, digest: char) -> IndexedFile {
        IndexedFile {
            project: project.parse().unwrap(),
            filename: filename.to_string(),
            sha256: digest.to_string().repeat(64),
        }
    }

    #[test]
    fn pages_round_trip_through_our_own_parsers() {
        let files = [
            file("torch", "torch-2.4.0+cpu-cp311-cp311-linux_x86_64.whl", 'a'),
            file("torch", "torch-2.4.0-cp311-none-macosx_11_0_arm64.whl", 'b'),
        ];
        let refs: Vec<&IndexedFile> = files.iter().collect();
        let project: PackageName = "torch".parse().unwrap();
        let page = Url::parse("file:///srv/wheelhouse/simple/torch/").unwrap();
        for parsed in [
            parse_html(&project_html(&project, &refs), &page),
            parse_json(&project_json(&project, &refs), &page).unwrap(),
        ] {
            assert_eq!(parsed.len(), 2);
            assert_eq!(parsed[0].filename, files[0].filename);
            assert_eq!(
                parsed[0].url.as_str(),
                "file:///srv/wheelhouse/torch-2.4.0%2Bcpu-cp311-cp311-linux_x86_64.whl"
            );
            assert_eq!(
                parsed[0].url.to_file_path().unwrap(),
                std::path::Path::new(
                    "/srv/wheelhouse/torch-2.4.0+cpu-cp311-cp311-linux_x86_64.whl"
                )
            );
            assert_eq!(parsed[1].hashes["sha256"], "b".repeat(64));
        }
    }

    #[test]
    fn json_pages_are_pep691() {
        let files = [file("demo", "demo-1.0-py3-none-any.whl", 'c')];
        let refs: Vec<&IndexedFile> = files.iter().collect();
        let project: PackageName = "demo".parse().unwrap();
        let page: serde_json::Value = serde_json::from_str(&project_json(&project, &refs)).unwrap();
        assert_eq!(page["meta"]["api-version"], "1.0");
        assert_eq!(page["name"], "demo");
        assert_eq!(page["files"][0]["hashes"]["sha256"], "c".repeat(64));
        let root: serde_json::Value = serde_json::from_str(&root_json(&[&project])).unwrap();
        assert_eq!(root["projects"][0]["name"], "demo");
        assert!(root_html(&[&project]).contains("<a href=\"demo/\">demo</a>"));
    }

    #[test]
    fn write_lays_out_simple() {
        let dir = tempfile::tempdir().unwrap();
        let files = [
            file("b-pkg", "b_pkg-1.0-py3-none-any.whl", 'd'),
            file("a", "a-1.0-py3-none-any.whl", 'e'),
        ];
        assert_eq!(write(dir.path(), &files).unwrap(), 2);
        for page in [
            "simple/index.html",
            "simple/index.json",
            "simple/a/index.html",
            "simple/b-pkg/index.json",
        ] {
            assert!(dir.path().join(page).is_file(), "{page}");
        }
    }
}
