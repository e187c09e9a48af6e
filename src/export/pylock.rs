//! `pylock.toml` (PEP 751, lock-version 1.0) for the exported selection, shaped like
//! poetry-plugin-export's: one `[[packages]]` entry per locked package of the selected groups,
//! each with the marker under which it is needed (groups and extras already decided, so the
//! file is environment-independent: an installer evaluates only the markers), its
//! `requires-python`, its index, and its wheels with URL and hashes.
//!
//! Pure: the URL of every file is found by `run::export` (through `locate`) and handed in.
//! A package's sdist is exported beside its wheels (verse builds it when no wheel fits);
//! packages with neither (direct references) are reported back to the caller.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{extras, groups, project_python_marker, select, ExportError, ExportOptions};
use crate::lock::{Lock, PackageSource, Project};
use crate::packaging::poetry_constraint::PoetryConstraint;

/// PyPI's simple index, the `index` of packages without a source of their own.
pub const PYPI_SIMPLE: &str = "https://pypi.org/simple";

/// What [`write`] produced.
#[derive(Debug)]
pub struct Written {
    pub text: String,
    /// `name==version` of exported packages that have no file on an index (path, git,
    /// file and url packages).
    pub without_wheels: Vec<String>,
}

#[derive(Serialize)]
struct Document {
    #[serde(rename = "lock-version")]
    lock_version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    environments: Option<Vec<String>>,
    #[serde(rename = "requires-python", skip_serializing_if = "Option::is_none")]
    requires_python: Option<String>,
    #[serde(rename = "created-by")]
    created_by: &'static str,
    packages: Vec<Package>,
    tool: Tool,
}

#[derive(Serialize)]
struct Package {
    name: String,
    version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    marker: Option<String>,
    #[serde(rename = "requires-python", skip_serializing_if = "Option::is_none")]
    requires_python: Option<String>,
    index: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    sdist: Option<Wheel>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    wheels: Vec<Wheel>,
}

/// One file of a package (PEP 751 names the same fields for wheels and sdists).
#[derive(Serialize)]
struct Wheel {
    name: String,
    url: String,
    hashes: BTreeMap<String, String>,
}

#[derive(Serialize)]
struct Tool {
    verse: ToolVerse,
}

#[derive(Serialize)]
struct ToolVerse {
    groups: Vec<String>,
    extras: Vec<String>,
}

/// The index a package's files come from, as pylock's `index` (the simple API base URL).
pub fn index_of(source: &PackageSource) -> Option<String> {
    match source {
        PackageSource::Pypi => Some(PYPI_SIMPLE.to_string()),
        PackageSource::Legacy { url, .. } => Some(url.trim_end_matches('/').to_string()),
        _ => None,
    }
}

/// Writes the pylock text. `url_of` gives the download URL of a wheel by file name (`None`
/// leaves the wheel out).
pub fn write(
    project: &Project,
    lock: &Lock,
    options: &ExportOptions,
    url_of: &dyn Fn(&str) -> Option<String>,
) -> Result<Written, ExportError> {
    let groups = groups(project, options)?;
    let extras = extras(project, options)?;
    let selected = select(lock, &groups, &extras)?;
    let python = project_python_marker(project)?;

    let mut packages = Vec::new();
    let mut without_wheels = Vec::new();
    for exported in &selected {
        let package = exported.package;
        let file = |f: &crate::lock::LockedFile| {
            Some(Wheel {
                name: f.filename.clone(),
                url: url_of(&f.filename)?,
                hashes: BTreeMap::from([(
                    f.hash.algorithm.as_str().to_string(),
                    f.hash.hex.clone(),
                )]),
            })
        };
        let hashed = package
            .files
            .iter()
            .filter(|f| f.hash.algorithm.is_verifiable());
        let wheels: Vec<Wheel> = hashed
            .clone()
            .filter(|f| f.filename.ends_with(".whl"))
            .filter_map(file)
            .collect();
        // Locks <= 1.1 list every version's files together: only this version's sdist.
        let sdist = hashed
            .filter(|f| {
                crate::build::sdist::is_sdist(&f.filename)
                    && crate::packaging::wheel_filename::sdist_version(&f.filename, &package.name)
                        .is_none_or(|v| v == package.version)
            })
            .find_map(file);
        let index = index_of(&package.source);
        let (Some(index), false) = (index, wheels.is_empty() && sdist.is_none()) else {
            without_wheels.push(format!("{}=={}", package.name, package.pretty_version));
            continue;
        };
        packages.push(Package {
            name: package.name.to_string(),
            version: package.pretty_version.clone(),
            marker: (!exported.marker.is_any()).then(|| exported.marker.to_string()),
            requires_python: pep440(&package.python_versions),
            index,
            sdist,
            wheels,
        });
    }

    let document = Document {
        lock_version: "1.0",
        environments: (!python.is_any()).then(|| vec![python.to_string()]),
        requires_python: project.python_constraint.as_deref().and_then(pep440),
        created_by: "verse",
        packages,
        tool: Tool {
            verse: ToolVerse {
                groups: groups.iter().map(ToString::to_string).collect(),
                extras,
            },
        },
    };
    let text = toml::to_string(&document).map_err(|e| ExportError::Toml(e.to_string()))?;
    Ok(Written {
        text,
        without_wheels,
    })
}

/// A Poetry constraint as PEP 440 specifiers, when it has a range PEP 440 can spell.
fn pep440(constraint: &str) -> Option<String> {
    let constraint = constraint.trim();
    if constraint.is_empty() || constraint == "*" {
        return None;
    }
    PoetryConstraint::parse(constraint)
        .ok()?
        .to_pep440()
        .filter(|s| !s.is_empty())
}
