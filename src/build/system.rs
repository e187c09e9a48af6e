//! Reads a source tree's `[build-system]` table (PEP 517/518), with pip's legacy default
//! for trees that have none.

use std::path::{Path, PathBuf};

/// How a source tree says it is built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildSystem {
    /// PEP 508 requirements of the build environment (`requires`).
    pub requires: Vec<String>,
    /// `module.path:object`, as `build-backend` gives it.
    pub backend: String,
    /// `backend-path`: directories, relative to the source tree, searched first for the backend.
    pub backend_path: Vec<String>,
}

impl BuildSystem {
    /// What pip (and `build`) use for a tree without `[build-system]`, or without
    /// `build-backend`: setuptools through its legacy `setup.py` entry point.
    pub fn legacy_setuptools(requires: Option<Vec<String>>) -> BuildSystem {
        BuildSystem {
            requires: requires.unwrap_or_else(|| vec!["setuptools>=40.8.0".to_string()]),
            backend: "setuptools.build_meta:__legacy__".to_string(),
            backend_path: Vec::new(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SystemError {
    #[error("{path} has neither pyproject.toml nor setup.py, so it cannot be built")]
    NotAProject { path: PathBuf },
    #[error("cannot read {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

/// The build system of the source tree at `dir`.
pub fn read(dir: &Path) -> Result<BuildSystem, SystemError> {
    let pyproject = dir.join("pyproject.toml");
    let text = match fs_err::read_to_string(&pyproject) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if dir.join("setup.py").is_file() || dir.join("setup.cfg").is_file() {
                return Ok(BuildSystem::legacy_setuptools(None));
            }
            return Err(SystemError::NotAProject {
                path: dir.to_path_buf(),
            });
        }
        Err(source) => {
            return Err(SystemError::Read {
                path: pyproject,
                source,
            })
        }
    };
    parse(&text).map_err(|message| SystemError::Invalid {
        path: pyproject,
        message,
    })
}

fn parse(text: &str) -> Result<BuildSystem, String> {
    let document: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
    let Some(table) = document.get("build-system") else {
        return Ok(BuildSystem::legacy_setuptools(None));
    };
    let table = table.as_table().ok_or("`build-system` must be a table")?;
    let strings = |key: &str| -> Result<Option<Vec<String>>, String> {
        match table.get(key) {
            None => Ok(None),
            Some(value) => value
                .as_array()
                .and_then(|items| {
                    items
                        .iter()
                        .map(|item| item.as_str().map(str::to_string))
                        .collect::<Option<Vec<_>>>()
                })
                .map(Some)
                .ok_or(format!("`build-system.{key}` must be a list of strings")),
        }
    };
    let requires = strings("requires")?;
    let backend_path = strings("backend-path")?.unwrap_or_default();
    match table.get("build-backend") {
        None => {
            // PEP 517: no backend means the legacy setuptools one, with the tree's requires
            // if it gave them (PEP 518 alone).
            Ok(BuildSystem::legacy_setuptools(requires))
        }
        Some(backend) => {
            let backend = backend
                .as_str()
                .ok_or("`build-system.build-backend` must be a string")?;
            if backend.trim().is_empty() || backend.contains(char::is_whitespace) {
                return Err(format!(
                    "`build-system.build-backend` `{backend}` is not a module path"
                ));
            }
            let requires =
                requires.ok_or("`build-system` names a build-backend but no `requires` list")?;
            Ok(BuildSystem {
                requires,
                backend: backend.to_string(),
                backend_path,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_backend_requires_and_path() {
        let system = parse(
            r#"
[build-system]
requires = ["poetry-core>=1.0.0"]
build-backend = "poetry.core.masonry.api"
backend-path = ["."]
"#,
        )
        .unwrap();
        assert_eq!(system.requires, vec!["poetry-core>=1.0.0"]);
        assert_eq!(system.backend, "poetry.core.masonry.api");
        assert_eq!(system.backend_path, vec!["."]);
    }

    #[test]
    fn no_table_or_no_backend_is_legacy_setuptools() {
        assert_eq!(
            parse("[project]\nname = 'x'\n").unwrap(),
            BuildSystem::legacy_setuptools(None)
        );
        let pep518_only = parse("[build-system]\nrequires = ['setuptools', 'cython']\n").unwrap();
        assert_eq!(pep518_only.backend, "setuptools.build_meta:__legacy__");
        assert_eq!(pep518_only.requires, vec!["setuptools", "cython"]);
    }

    #[test]
    fn malformed_tables_are_errors() {
        assert!(parse("[build-system]\nrequires = 'setuptools'\n")
            .unwrap_err()
            .contains("list of strings"));
        assert!(parse("[build-system]\nbuild-backend = 'x'\n")
            .unwrap_err()
            .contains("no `requires`"));
        assert!(parse("build-system = 3\n").unwrap_err().contains("table"));
    }
}
