//! `SourceTree`: a buildable Python project on disk (a package plus the in-tree PEP 517 backend
//! in `backend.py`), from which tests make sdists, path dependencies and git repositories.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::wheel::{write_dist_file, DistFile};

const BACKEND: &str = include_str!("backend.py");

#[derive(Clone, Debug)]
pub struct SourceTree {
    pub name: String,
    pub version: String,
    /// The package directory inside the tree (`demo` or `src/demo`).
    pub package_dir: String,
    /// `build-system.requires`.
    pub requires: Vec<String>,
    /// Modules the backend imports before building (to prove the build env has them).
    pub needs: Vec<String>,
    /// Extra text for pyproject.toml (a `[tool.poetry]` table for a root project).
    pub extra_pyproject: String,
}

impl SourceTree {
    pub fn new(name: &str, version: &str) -> Self {
        SourceTree {
            name: name.to_string(),
            version: version.to_string(),
            package_dir: name.replace('-', "_"),
            requires: Vec::new(),
            needs: Vec::new(),
            extra_pyproject: String::new(),
        }
    }

    pub fn package_dir(mut self, dir: &str) -> Self {
        self.package_dir = dir.to_string();
        self
    }

    /// A build requirement, and the module the backend imports to prove it was installed.
    pub fn requires(mut self, requirement: &str, module: &str) -> Self {
        self.requires.push(requirement.to_string());
        self.needs.push(module.to_string());
        self
    }

    pub fn import_name(&self) -> String {
        Path::new(&self.package_dir)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string()
    }

    /// The `[build-system]` table pointing at the in-tree backend.
    pub fn build_system(&self) -> String {
        let requires: Vec<String> = self.requires.iter().map(|r| format!("{r:?}")).collect();
        format!(
            "[build-system]\nrequires = [{}]\nbuild-backend = \"verse_test_backend\"\nbackend-path = [\".\"]\n",
            requires.join(", ")
        )
    }

    /// Writes the tree into `dir`: pyproject.toml (unless `write_pyproject` is false, for a
    /// root project whose pyproject the test kit writes), the backend, and the package with
    /// `VALUE = '<value>'` in its `__init__.py`.
    pub fn write(&self, dir: &Path, value: &str, write_pyproject: bool) -> PathBuf {
        std::fs::create_dir_all(dir.join(&self.package_dir)).expect("creating the tree");
        if write_pyproject {
            let pyproject = format!(
                "[project]\nname = \"{}\"\nversion = \"{}\"\n\n{}{}",
                self.name,
                self.version,
                self.build_system(),
                self.extra_pyproject
            );
            std::fs::write(dir.join("pyproject.toml"), pyproject).expect("writing pyproject");
        }
        let needs: Vec<String> = self.needs.iter().map(|m| format!("{m:?}")).collect();
        let backend = BACKEND
            .replace("@NAME@", &self.name)
            .replace("@VERSION@", &self.version)
            .replace("@PACKAGE_DIR@", &self.package_dir)
            .replace("@NEEDS@", &needs.join(", "));
        std::fs::write(dir.join("verse_test_backend.py"), backend).expect("writing the backend");
        std::fs::write(
            dir.join(&self.package_dir).join("__init__.py"),
            format!("VALUE = {value:?}\n"),
        )
        .expect("writing the package");
        dir.to_path_buf()
    }

    /// An sdist of the tree (made by the backend's own `build_sdist`), written into `dest`.
    pub fn sdist(&self, scratch: &Path, dest: &Path, value: &str) -> DistFile {
        let tree = self.write(scratch, value, true);
        let out = scratch.join("sdist-out");
        std::fs::create_dir_all(&out).expect("creating sdist-out");
        let made = Command::new("python3")
            .current_dir(&tree)
            .args([
                "-c",
                "import sys, verse_test_backend as b; print(b.build_sdist(sys.argv[1]))",
            ])
            .arg(&out)
            .output()
            .expect("running python3");
        assert!(
            made.status.success(),
            "build_sdist failed: {}",
            String::from_utf8_lossy(&made.stderr)
        );
        let filename = String::from_utf8_lossy(&made.stdout).trim().to_string();
        let bytes = std::fs::read(out.join(&filename)).expect("reading the sdist");
        write_dist_file(&self.name, &self.version, &filename, dest, &bytes)
    }
}

/// Runs git in `dir`, with an identity and no user config, and returns its stdout.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "verse tests")
        .env("GIT_AUTHOR_EMAIL", "tests@verse.invalid")
        .env("GIT_COMMITTER_NAME", "verse tests")
        .env("GIT_COMMITTER_EMAIL", "tests@verse.invalid")
        .output()
        .expect("running git");
    assert!(
        output.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// A git repository at `dir` holding `tree` (with `VALUE = value`), one commit; its id.
pub fn git_repo(tree: &SourceTree, dir: &Path, subdirectory: Option<&str>, value: &str) -> String {
    let at = match subdirectory {
        Some(sub) => dir.join(sub),
        None => dir.to_path_buf(),
    };
    tree.write(&at, value, true);
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "the package"]);
    git(dir, &["rev-parse", "HEAD"])
}
