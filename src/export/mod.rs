//! `verse export`: writes the lock's selection in other formats, the way poetry-plugin-export
//! (1.10, under Poetry 2.x) writes it for the same flags: `requirements.txt` (with hashes,
//! markers and index lines) and `pylock.toml` (PEP 751).
//!
//! Pure: the lock and the project in, text out. It selects for every environment at once
//! (export is not about this machine), so it never looks at an interpreter; [`marker`] does the
//! marker arithmetic Poetry does so the printed markers are Poetry's. Lock 2.1 records groups
//! and markers per package ([`select`]); older locks are walked from the project's
//! requirements ([`walk`]), for requirements.txt only: pylock.toml needs 2.1, as Poetry's own
//! pylock export does. Writing the file is `run::export`'s job.

pub mod marker;
pub mod pylock;
pub mod walk;

use std::collections::BTreeSet;

use crate::lock::{Lock, LockedMarkers, LockedPackage, PackageSource, Project, SourcePriority};
use crate::packaging::poetry_constraint::python_marker;
use crate::packaging::{normalize, GroupName};
use marker::{Marker, MarkerError};

/// What to export: Poetry's export flags, as given.
#[derive(Clone, Debug, Default)]
pub struct ExportOptions {
    pub only: Vec<String>,
    pub with: Vec<String>,
    pub without: Vec<String>,
    pub all_groups: bool,
    pub extras: Vec<String>,
    pub all_extras: bool,
    pub with_hashes: bool,
    pub with_urls: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("poetry.lock has lock-version {version}; pylock.toml export needs 2.1, which records groups and markers for every package")]
    OldLock { version: String },
    #[error("unknown group{}: {} (known groups: {})", if unknown.len() == 1 { "" } else { "s" }, unknown.join(", "), known.join(", "))]
    UnknownGroups {
        unknown: Vec<String>,
        known: Vec<String>,
    },
    #[error("unknown extra{}: {} (known extras: {})", if unknown.len() == 1 { "" } else { "s" }, unknown.join(", "), if known.is_empty() { "none".to_string() } else { known.join(", ") })]
    UnknownExtras {
        unknown: Vec<String>,
        known: Vec<String>,
    },
    #[error("pyproject.toml: the Python constraint `{constraint}` is not valid: {message}")]
    BadPython { constraint: String, message: String },
    #[error("the dependency walk of poetry.lock failed at {requirement}: its locked versions overlap; relock with Poetry 2.x")]
    Walk { requirement: String },
    #[error("cannot write the TOML document: {0}")]
    Toml(String),
    #[error("poetry.lock: the marker of {package} in group {group}: {source}")]
    BadMarker {
        package: String,
        group: String,
        #[source]
        source: MarkerError,
    },
}

impl ExportError {
    pub fn hint(&self) -> Option<String> {
        match self {
            ExportError::OldLock { .. } => Some(
                "run `poetry lock` with Poetry 2.x (it writes lock-version 2.1), then export again"
                    .into(),
            ),
            ExportError::UnknownGroups { .. } => Some(
                "groups are defined in pyproject.toml under [tool.poetry.group.<name>] or [dependency-groups]".into(),
            ),
            ExportError::UnknownExtras { .. } => Some(
                "extras are defined in pyproject.toml ([tool.poetry.extras] or [project.optional-dependencies])".into(),
            ),
            _ => None,
        }
    }
}

/// One exported package and the marker under which it is needed.
#[derive(Clone, Debug)]
pub struct Exported<'a> {
    pub package: &'a LockedPackage,
    /// Its groups' markers (the selected ones, united), with the requested extras applied.
    pub marker: Marker,
}

/// The groups to export: only `main` unless asked (poetry-plugin-export's default differs
/// from `poetry install`, which takes every non-optional group).
pub fn groups(project: &Project, options: &ExportOptions) -> Result<Vec<GroupName>, ExportError> {
    let names = |values: &[String]| -> Vec<GroupName> {
        values
            .iter()
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(GroupName::new)
            .collect()
    };
    let (only, with, without) = (
        names(&options.only),
        names(&options.with),
        names(&options.without),
    );
    let known: Vec<GroupName> = project.groups.iter().map(|g| g.name.clone()).collect();
    let unknown: BTreeSet<String> = only
        .iter()
        .chain(&with)
        .chain(&without)
        .filter(|g| !known.contains(g))
        .map(ToString::to_string)
        .collect();
    if !unknown.is_empty() {
        return Err(ExportError::UnknownGroups {
            unknown: unknown.into_iter().collect(),
            known: known.iter().map(ToString::to_string).collect(),
        });
    }
    let main = GroupName::new("main");
    Ok(known
        .into_iter()
        .filter(|g| {
            if options.all_groups {
                true
            } else if !only.is_empty() {
                only.contains(g)
            } else {
                (*g == main || with.contains(g)) && !without.contains(g)
            }
        })
        .collect())
}

/// The root extras to export, normalized, checked against the project's.
pub fn extras(project: &Project, options: &ExportOptions) -> Result<Vec<String>, ExportError> {
    let known: Vec<String> = project.extras.keys().map(ToString::to_string).collect();
    if options.all_extras {
        return Ok(known);
    }
    let requested: BTreeSet<String> = options
        .extras
        .iter()
        .flat_map(|e| e.split([',', ' ']))
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(normalize)
        .collect();
    let unknown: Vec<String> = requested
        .iter()
        .filter(|e| !known.contains(e))
        .cloned()
        .collect();
    if !unknown.is_empty() {
        return Err(ExportError::UnknownExtras { unknown, known });
    }
    Ok(requested.into_iter().collect())
}

/// The packages of `groups` with their markers (poetry-plugin-export
/// `get_project_dependency_packages2`), in lock order.
pub fn select<'a>(
    lock: &'a Lock,
    groups: &[GroupName],
    extras: &[String],
) -> Result<Vec<Exported<'a>>, ExportError> {
    if !lock
        .lock_version
        .is_some_and(|v| v.has_groups_and_markers())
    {
        return Err(ExportError::OldLock {
            version: lock
                .lock_version
                .map_or("(none)".to_string(), |v| format!("{}.{}", v.major, v.minor)),
        });
    }
    // `TransitivePackageInfo.get_marker`: main first, then by name.
    let mut ordered: Vec<&GroupName> = groups.iter().collect();
    ordered.sort_by_key(|g| (g.as_str() != "main", g.as_str().to_string()));
    let mut out = Vec::new();
    for package in &lock.packages {
        if !package.groups.iter().any(|g| groups.contains(g)) {
            continue;
        }
        let mut united = Marker::Empty;
        for group in &ordered {
            if !package.groups.contains(group) {
                continue;
            }
            let text = match &package.markers {
                LockedMarkers::Always => "",
                LockedMarkers::All(m) => m.as_str(),
                LockedMarkers::PerGroup(map) => map.get(*group).map_or("", String::as_str),
            };
            let parsed = Marker::parse(text).map_err(|source| ExportError::BadMarker {
                package: package.name.to_string(),
                group: group.to_string(),
                source,
            })?;
            united = united.union(&parsed);
        }
        let marker = united.apply_extras(extras);
        if marker.is_empty() {
            continue;
        }
        out.push(Exported { package, marker });
    }
    Ok(out)
}

/// The project's Python range as a marker (`create_nested_marker("python_version", ...)`).
pub fn project_python_marker(project: &Project) -> Result<Marker, ExportError> {
    let constraint = project.python_constraint.as_deref().unwrap_or("*");
    let bad = |message: String| ExportError::BadPython {
        constraint: constraint.to_string(),
        message,
    };
    let text = python_marker(constraint).map_err(|e| bad(e.to_string()))?;
    Marker::parse(&text).map_err(|e| bad(e.to_string()))
}

/// `requirements.txt` exactly as poetry-plugin-export writes it: one `name==version ; marker`
/// line per package, sorted, each followed by its sorted `--hash` lines, and the index lines of
/// the sources the packages come from at the top.
pub fn requirements_txt(
    project: &Project,
    lock: &Lock,
    options: &ExportOptions,
) -> Result<String, ExportError> {
    let groups = groups(project, options)?;
    let extras = extras(project, options)?;
    let python = project_python_marker(project)?;
    // (package, extras asked of it, marker): lock 2.1 records groups and markers per package;
    // older locks are walked from the project's requirements.
    let selected: Vec<(&LockedPackage, Vec<String>, Marker)> = if lock
        .lock_version
        .is_some_and(|v| v.has_groups_and_markers())
    {
        select(lock, &groups, &extras)?
            .into_iter()
            .map(|e| (e.package, Vec::new(), python.intersect(&e.marker)))
            .collect()
    } else {
        walk::walk(project, lock, &groups, &extras, &python)?
            .into_iter()
            .map(|r| (r.package, r.features, r.marker.without_extras()))
            .collect()
    };

    let mut lines: BTreeSet<String> = BTreeSet::new();
    let mut indexes: BTreeSet<String> = BTreeSet::new();
    for (package, features, marker) in &selected {
        let package = *package;
        let marker_text = if marker.is_any() {
            // `Dependency.to_pep_508` falls back on the package's own Python range.
            match package.python_versions.trim() {
                "" | "*" => String::new(),
                range => python_marker(range).unwrap_or_default(),
            }
        } else {
            marker.to_string()
        };
        let mut line = match &package.source {
            PackageSource::Git {
                url,
                reference,
                resolved_reference,
                subdirectory,
            } => {
                let rev = resolved_reference.as_deref().unwrap_or(reference);
                let mut l = format!("{} @ git+{url}@{rev}", package.name);
                if let Some(sub) = subdirectory {
                    l.push_str(&format!("#subdirectory={sub}"));
                }
                l
            }
            PackageSource::Url { url, .. } => format!("{} @ {url}", package.name),
            PackageSource::Directory { url } if package.develop => {
                format!("-e {}", file_url(&project.root, url))
            }
            PackageSource::Directory { url } | PackageSource::File { url } => {
                format!("{} @ {}", package.name, file_url(&project.root, url))
            }
            PackageSource::Pypi | PackageSource::Legacy { .. } => {
                let features = if features.is_empty() {
                    String::new()
                } else {
                    format!("[{}]", features.join(","))
                };
                format!("{}{features}=={}", package.name, package.pretty_version)
            }
        };
        if !marker_text.is_empty() {
            line.push_str(" ; ");
            line.push_str(&marker_text);
        }
        if let PackageSource::Legacy { url, .. } = &package.source {
            indexes.insert(url.trim_end_matches('/').to_string());
        }
        if options.with_hashes {
            // Poetry keeps sha256/384/512 only.
            let mut hashes: Vec<String> = package
                .files
                .iter()
                .filter(|f| f.hash.algorithm.is_verifiable())
                .map(|f| f.hash.to_string())
                .collect();
            hashes.sort();
            for hash in hashes {
                line.push_str(" \\\n    --hash=");
                line.push_str(&hash);
            }
        }
        lines.insert(line);
    }
    let mut content = lines.into_iter().collect::<Vec<_>>().join("\n");
    content.push('\n');
    if options.with_urls && !indexes.is_empty() {
        content = format!("{}\n{content}", index_lines(project, &indexes));
    }
    Ok(content)
}

/// `--index-url`/`--extra-index-url` (and `--trusted-host` for plain http) for the sources in
/// `used`, in the pool's priority order: the first source is the index only when PyPI is not in
/// the pool (poetry-plugin-export `_export_generic_txt`).
fn index_lines(project: &Project, used: &BTreeSet<String>) -> String {
    let rank = |p: SourcePriority| match p {
        SourcePriority::Primary => 0,
        SourcePriority::Supplemental => 1,
        SourcePriority::Explicit => 2,
    };
    let mut sources: Vec<_> = project.sources.iter().collect();
    sources.sort_by_key(|s| rank(s.priority));
    let has_pypi = project
        .sources
        .iter()
        .any(|s| s.name.eq_ignore_ascii_case("pypi"))
        || !project
            .sources
            .iter()
            .any(|s| s.priority == SourcePriority::Primary);
    let first_non_explicit = sources
        .iter()
        .find(|s| s.priority != SourcePriority::Explicit)
        .map(|s| s.name.clone());
    let mut out = String::new();
    for source in sources {
        let Some(url) = &source.url else { continue };
        // Poetry's repositories keep their URL without the trailing slash.
        let url = url.trim_end_matches('/');
        if !used.contains(url) {
            continue;
        }
        if let Some(rest) = url.strip_prefix("http://") {
            let host = rest.split('/').next().unwrap_or(rest);
            out.push_str(&format!("--trusted-host {host}\n"));
        }
        if !has_pypi && first_non_explicit.as_deref() == Some(source.name.as_str()) {
            out.push_str(&format!("--index-url {url}\n"));
        } else {
            out.push_str(&format!("--extra-index-url {url}\n"));
        }
    }
    out
}

/// `path_to_url` of a lock path (relative to the project).
fn file_url(root: &std::path::Path, path: &str) -> String {
    let joined = root.join(path);
    let text = joined.display().to_string();
    format!("file://{}", text.replace(' ', "%20"))
}
