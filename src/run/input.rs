//! Which lock `verse install` reads: poetry.lock (with pyproject.toml), or a pylock.toml
//! (PEP 751) named by `--lock`, or found in a project that has no poetry.lock.

use std::path::Path;

use super::install::{absolute, lock_error, read_project};
use crate::error::Error;
use crate::lock::{self, Lock, Project};
use crate::report::Printer;

pub(super) fn read_install_input(
    project_dir: &Path,
    lock_file: Option<&Path>,
    allow_stale_lock: bool,
    printer: &Printer,
) -> Result<(Project, Lock), Error> {
    let pylock = match lock_file {
        Some(file) => {
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            if !(name.starts_with("pylock.") && name.ends_with(".toml")) {
                return Err(Error::input(format!(
                    "--lock takes a pylock.toml file (PEP 751), not {}",
                    file.display()
                ))
                .with_hint("poetry.lock is read from --project; pass --lock only for a pylock.toml or pylock.NAME.toml"));
            }
            Some(absolute(file))
        }
        None if !project_dir.join("poetry.lock").exists()
            && project_dir.join("pylock.toml").is_file() =>
        {
            Some(project_dir.join("pylock.toml"))
        }
        None => None,
    };
    match pylock {
        Some(path) => {
            printer.detail(format!("Lock: {} (PEP 751)", path.display()));
            lock::pylock::read(&path, project_dir).map_err(lock_error)
        }
        None => read_project(project_dir, allow_stale_lock, printer),
    }
}
