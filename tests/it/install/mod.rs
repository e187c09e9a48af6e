//! `verse install`, end to end: real wheels from a loopback index, installed by the real binary
//! into a real venv, checked with the venv's own python.
//!
//! The CLI contract these tests hold verse to:
//! `verse install [--project DIR] [--venv DIR] [--python PATH|X.Y] [--only G,..] [--with G,..]
//! [--without G,..] [--all-groups] [-E/--extras X,..] [--all-extras] [--no-root] [--dry-run]
//! [--index-url URL] [--cache-dir DIR] [--no-cache] [--allow-stale-lock] [--allow-unhashed]
//! [-q] [-v]`, each option also a `VERSE_<NAME>` variable; the venv defaults to `$VIRTUAL_ENV`,
//! else `<project>/.venv`. stderr ends with `Installed N packages in <time>` and the sorted
//! `+ name==version` lines (normalized names); errors read `error: ...` then `Caused by: ...` /
//! `hint: ...`. Exit codes: 0 success, 1 the user's input is at fault (flags, pyproject, lock,
//! an interpreter or platform the lock cannot serve), 2 anything else (network, hashes, disk).
//!
//! Reading of the contract where it is silent (adjust here if the lead decides otherwise):
//! a hash mismatch and an unreachable index are exit 2; an error report names the package,
//! file or URL somewhere in its `error:` / `Caused by:` / `hint:` lines, not necessarily in the
//! first one; tests that count `+` lines use projects without a root package.

mod compile;
mod errors;
mod layout;
mod link_mode;
mod rerun;
mod root;
mod selection;
mod sources;

use crate::support::*;

/// The import name of a test distribution: `demo-pkg` -> `demo_pkg`.
pub fn module(name: &str) -> String {
    name.replace(['-', '.'], "_").to_lowercase()
}

/// A pure wheel for `name` with a package `module(name)` whose `__version__` is `version`.
pub fn wheel(context: &TestContext, name: &str, version: &str) -> DistFile {
    WheelBuilder::new(name, version)
        .package(&module(name))
        .build(&context.wheels_dir())
}

/// For each name, `module.__version__` as the venv's python imports it, one per line.
pub fn imported_versions(context: &TestContext, names: &[&str]) -> String {
    let imports: Vec<String> = names.iter().map(|n| module(n)).collect();
    let script = format!(
        "import {0}\nfor m in [{0}]:\n    print(m.__name__, m.__version__)",
        imports.join(", ")
    );
    context
        .venv_python(&["-c", &script])
        .success()
        .stdout
        .clone()
}

/// `(major, minor)` of `python3` on PATH, the interpreter verse uses by default.
pub fn default_python_version() -> (u32, u32) {
    let output = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys; print(sys.version_info[0], sys.version_info[1])",
        ])
        .output()
        .expect("running python3");
    let text = String::from_utf8_lossy(&output.stdout);
    let mut parts = text
        .split_whitespace()
        .map(|p| p.parse().expect("a number"));
    (parts.next().expect("major"), parts.next().expect("minor"))
}

/// A package-mode-off project whose lock has exactly these wheels, all in group `main`, and an
/// index serving them. The most common setup.
pub fn project_with(context: &TestContext, wheels: &[&DistFile]) -> (Project, IndexServer) {
    let mut pyproject = Pyproject::new(Style::Poetry);
    let mut lock = Lockfile::new(LockFormat::V2_1);
    for wheel in wheels {
        pyproject = pyproject.dep(Dep::new(&wheel.name, "*"));
        lock = lock.package(Locked::of(wheel));
    }
    let project = context.project().pyproject(pyproject).lock(lock);
    project.write();
    let server = IndexServer::with_files(wheels.iter().copied());
    (project, server)
}
