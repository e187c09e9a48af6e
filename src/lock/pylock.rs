//! Reads a `pylock.toml` (PEP 751) as the install input, so projects that move off Poetry keep
//! verse: the file becomes the same plain values `poetry.lock` gives ([`Lock`] and [`Project`]),
//! shaped like a lock 2.1 whose every package is in the `main` group under its pylock `marker`.
//! Selection is then what PEP 751 asks of an installer: every package whose marker holds for
//! the target.
//!
//! What it does not do: decide anything (that is `plan`), fetch by a wheel's recorded `url`
//! (files are found on the package's `index`, like every verse install, and verified by hash),
//! or install packages that have no index (`vcs`, `directory`, `archive`): those are read as
//! direct references, which `plan` reports as needing a build.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::{
    DependencyGroup, Lock, LockError, LockVersion, LockedFile, LockedMarkers, LockedPackage,
    PackageSource, Project, RootDependency, RootPackage, SourceDecl, SourcePriority,
};
use crate::packaging::{normalize, FileHash, GroupName, PackageName, Version};

/// PyPI's simple index as pylock files spell it.
const PYPI_SIMPLE: &str = "https://pypi.org/simple";

#[derive(Deserialize)]
struct Document {
    #[serde(rename = "lock-version")]
    lock_version: String,
    #[serde(rename = "requires-python")]
    requires_python: Option<String>,
    #[serde(default)]
    packages: Vec<Package>,
    #[serde(default)]
    tool: BTreeMap<String, toml::Value>,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    version: Option<String>,
    marker: Option<String>,
    #[serde(rename = "requires-python")]
    requires_python: Option<String>,
    index: Option<String>,
    #[serde(default)]
    wheels: Vec<Artifact>,
    sdist: Option<Artifact>,
    vcs: Option<toml::Value>,
    directory: Option<toml::Value>,
    archive: Option<Artifact>,
}

#[derive(Deserialize)]
struct Artifact {
    name: Option<String>,
    url: Option<String>,
    path: Option<String>,
    #[serde(default)]
    hashes: BTreeMap<String, String>,
}

impl Artifact {
    /// The file name: `name`, else the last segment of `url` or `path`.
    fn filename(&self) -> Option<String> {
        if let Some(name) = &self.name {
            return Some(name.clone());
        }
        let location = self.url.as_deref().or(self.path.as_deref())?;
        let last = location.rsplit('/').next()?;
        let last = last.split(['?', '#']).next()?;
        (!last.is_empty()).then(|| last.to_string())
    }

    /// The strongest hash verse can verify.
    fn hash(&self) -> Option<FileHash> {
        ["sha256", "sha512", "sha384"].iter().find_map(|algorithm| {
            let hex = self.hashes.get(*algorithm)?;
            format!("{algorithm}:{hex}").parse().ok()
        })
    }
}

/// Reads `path` (a `pylock.toml`) into the values `poetry.lock` and `pyproject.toml` give.
/// `project_dir` is the project root (for messages and an optional pyproject.toml, whose
/// direct dependencies mark packages as requested, as pip does).
pub fn read(path: &Path, project_dir: &Path) -> Result<(Project, Lock), LockError> {
    let text = fs_err::read_to_string(path).map_err(|source| LockError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let invalid = |message: String| LockError::Invalid {
        path: path.to_path_buf(),
        message,
    };
    let document: Document = toml::from_str(&text).map_err(|e| {
        let (line, column) = e
            .span()
            .map(|span| line_column(&text, span.start))
            .unwrap_or((1, 1));
        LockError::Syntax {
            path: path.to_path_buf(),
            line,
            column,
            message: e.message().to_string(),
        }
    })?;
    let major = document.lock_version.split('.').next().unwrap_or("");
    if major != "1" {
        return Err(LockError::UnsupportedLockVersion {
            path: path.to_path_buf(),
            version: format!("{} (pylock.toml; verse reads 1.x)", document.lock_version),
        });
    }

    let main = GroupName::new("main");
    let mut sources: Vec<SourceDecl> = Vec::new();
    let mut packages = Vec::new();
    for (position, package) in document.packages.iter().enumerate() {
        let name: PackageName = normalize(&package.name).parse().map_err(|_| {
            invalid(format!(
                "packages[{position}]: `{}` is not a valid name",
                package.name
            ))
        })?;
        let pretty_version = package.version.clone().unwrap_or_default();
        let version: Version = if pretty_version.is_empty() {
            Version::new([0])
        } else {
            pretty_version.parse().map_err(|_| {
                invalid(format!(
                    "packages[{position}] ({name}): `{pretty_version}` is not a PEP 440 version"
                ))
            })?
        };
        let source = if let Some(index) = &package.index {
            let url = index.trim_end_matches('/');
            if url == PYPI_SIMPLE {
                PackageSource::Pypi
            } else {
                let reference = match sources.iter().find(|s| s.url.as_deref() == Some(url)) {
                    Some(s) => s.name.clone(),
                    None => {
                        let name = format!("pylock-index-{}", sources.len() + 1);
                        sources.push(SourceDecl {
                            name: name.clone(),
                            url: Some(url.to_string()),
                            priority: SourcePriority::Explicit,
                        });
                        name
                    }
                };
                PackageSource::Legacy {
                    reference,
                    url: url.to_string(),
                }
            }
        } else if let Some(vcs) = &package.vcs {
            PackageSource::Git {
                url: string_field(vcs, "url").unwrap_or_default(),
                reference: string_field(vcs, "requested-revision").unwrap_or_default(),
                resolved_reference: string_field(vcs, "commit-id"),
                subdirectory: string_field(vcs, "subdirectory"),
            }
        } else if let Some(directory) = &package.directory {
            PackageSource::Directory {
                url: string_field(directory, "path").unwrap_or_default(),
            }
        } else if let Some(archive) = &package.archive {
            PackageSource::Url {
                url: archive
                    .url
                    .clone()
                    .or_else(|| archive.path.clone())
                    .unwrap_or_default(),
                subdirectory: None,
            }
        } else {
            return Err(invalid(format!(
                "packages[{position}] ({name}): no `index`, `vcs`, `directory` or `archive`: verse finds pylock wheels on their index"
            )));
        };
        let mut files = Vec::new();
        for artifact in package.wheels.iter().chain(&package.sdist) {
            let Some(filename) = artifact.filename() else {
                return Err(invalid(format!(
                    "packages[{position}] ({name}): a file has no name, url or path"
                )));
            };
            let Some(hash) = artifact.hash() else {
                return Err(invalid(format!(
                    "packages[{position}] ({name}): {filename} has no sha256, sha384 or sha512 hash"
                )));
            };
            files.push(LockedFile { filename, hash });
        }
        packages.push(LockedPackage {
            name,
            version,
            pretty_version,
            description: String::new(),
            optional: false,
            python_versions: package
                .requires_python
                .clone()
                .unwrap_or_else(|| "*".into()),
            category: None,
            groups: vec![main.clone()],
            markers: match &package.marker {
                Some(marker) if !marker.trim().is_empty() => LockedMarkers::All(marker.clone()),
                _ => LockedMarkers::Always,
            },
            legacy_marker: None,
            files,
            dependencies: Vec::new(),
            extras: BTreeMap::new(),
            source,
            develop: false,
        });
    }

    let lock = Lock {
        lock_version: Some(LockVersion { major: 2, minor: 1 }),
        generated_by: None,
        python_versions: document
            .requires_python
            .clone()
            .unwrap_or_else(|| "*".into()),
        content_hash: None,
        packages,
        extras: BTreeMap::new(),
    };
    let project = Project {
        root: project_dir.to_path_buf(),
        name: None,
        version: None,
        package_mode: false,
        python_constraint: document.requires_python.clone(),
        groups: vec![DependencyGroup {
            name: main,
            optional: false,
            dependencies: requested(project_dir, &document),
        }],
        extras: BTreeMap::new(),
        sources,
        root_package: RootPackage::default(),
        content_hash: String::new(),
        legacy_content_hash: None,
    };
    Ok((project, lock))
}

/// The project's direct dependencies in the groups the pylock was exported with (verse writes
/// them under `[tool.verse]`), read from a pyproject.toml beside it; none without one.
fn requested(project_dir: &Path, document: &Document) -> Vec<RootDependency> {
    let Ok(pyproject) = super::pyproject::read(project_dir) else {
        return Vec::new();
    };
    let exported: Vec<String> = document
        .tool
        .get("verse")
        .and_then(|v| v.get("groups"))
        .and_then(|g| g.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(ToString::to_string))
                .collect()
        })
        .unwrap_or_else(|| vec!["main".to_string()]);
    pyproject
        .groups
        .into_iter()
        .filter(|g| exported.iter().any(|e| *e == g.name.as_str()))
        .flat_map(|g| g.dependencies)
        .collect()
}

fn string_field(value: &toml::Value, key: &str) -> Option<String> {
    value.get(key)?.as_str().map(ToString::to_string)
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(text: &str) -> Result<(Project, Lock), LockError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pylock.toml");
        std::fs::write(&path, text).unwrap();
        read(&path, dir.path())
    }

    #[test]
    fn packages_become_main_group_entries_with_their_markers() {
        let (project, lock) = read_text(
            r#"
lock-version = "1.0"
requires-python = ">=3.9"
created-by = "test"

[[packages]]
name = "Anyio"
version = "4.12.1"
marker = 'python_version == "3.9"'
index = "https://pypi.org/simple/"
wheels = [{url = "https://files.example/a/anyio-4.12.1-py3-none-any.whl", hashes = {sha256 = "d405828884fc140aa80a3c667b8beed277f1dfedec42ba031bd6ac3db606ab6c"}}]

[[packages]]
name = "private"
version = "1.0"
index = "https://mirror.example/simple"
wheels = [{name = "private-1.0-py3-none-any.whl", hashes = {sha256 = "c66ae634e0b8228396b801741beb3294326d4b6102f7bba4041c0dfb58c29026"}}]
"#,
        )
        .unwrap();
        assert_eq!(lock.python_versions, ">=3.9");
        let anyio = &lock.packages[0];
        assert_eq!(anyio.name.as_ref(), "anyio");
        assert_eq!(anyio.source, PackageSource::Pypi);
        assert_eq!(
            anyio.markers,
            LockedMarkers::All(r#"python_version == "3.9""#.into())
        );
        assert_eq!(anyio.files[0].filename, "anyio-4.12.1-py3-none-any.whl");
        assert_eq!(anyio.groups, [GroupName::new("main")]);
        let private = &lock.packages[1];
        assert_eq!(
            private.source,
            PackageSource::Legacy {
                reference: "pylock-index-1".into(),
                url: "https://mirror.example/simple".into()
            }
        );
        assert_eq!(project.sources[0].priority, SourcePriority::Explicit);
        assert!(!project.package_mode);
    }

    #[test]
    fn unhashed_files_and_other_major_versions_are_refused() {
        let unhashed = read_text(
            "lock-version = \"1.0\"\ncreated-by = \"t\"\n[[packages]]\nname = \"a\"\nversion = \"1\"\nindex = \"https://pypi.org/simple\"\nwheels = [{name = \"a-1-py3-none-any.whl\", hashes = {md5 = \"00\"}}]\n",
        );
        assert!(unhashed.unwrap_err().to_string().contains("has no sha256"));
        let future = read_text("lock-version = \"2.0\"\ncreated-by = \"t\"\n");
        assert!(matches!(
            future,
            Err(LockError::UnsupportedLockVersion { .. })
        ));
    }
}
