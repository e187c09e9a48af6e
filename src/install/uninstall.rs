//! Removing an installed distribution by its RECORD, as pip does: every listed file, the
//! `__pycache__/<stem>.*.pyc` of every listed `.py` (the spec lets RECORD omit them), the
//! `.dist-info` directory itself, then the directories left empty.
//!
//! Safety (uv's GHSA-pjjw-68hj-v9mw): a RECORD path is resolved against the directory holding
//! the `.dist-info`, and a path outside the venv (lexically, or through a symlinked directory)
//! is not touched, nor are the venv's own files (its `bin/python*` links, `pyvenv.cfg`), which
//! no install may write either; the rest is removed and the refusal is reported as an error.
//! The venv's own directories (site-packages, bin, `include/`, the root) are never removed
//! even when empty.
//!
//! Not done here: deciding what to uninstall, or running concurrently with installs into the
//! same directories (pruning an empty directory could race with a wheel about to fill it; the
//! caller removes before it installs).

use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};

use super::paths::{resolve_record_path, venv_own_file};
use super::record;
use super::{InstallError, InstalledDistribution};
use crate::venv::Venv;

pub(crate) fn uninstall(venv: &Venv, dist: &InstalledDistribution) -> Result<(), InstallError> {
    let name = dist.name.to_string();
    let io_error = |source: io::Error| InstallError::Io {
        filename: name.clone(),
        source,
    };
    let record_file = dist.dist_info.join("RECORD");
    let text = fs_err::read(&record_file).map_err(|e| InstallError::InvalidMetadata {
        path: record_file.clone(),
        message: e.to_string(),
    })?;
    let rows = record::parse(&String::from_utf8_lossy(&text)).map_err(|message| {
        InstallError::InvalidMetadata {
            path: record_file.clone(),
            message,
        }
    })?;
    let base = dist.dist_info.parent().unwrap_or(&venv.root);
    let real_root = fs_err::canonicalize(&venv.root).map_err(io_error)?;

    let mut refused = Vec::new();
    let mut touched_dirs = BTreeSet::new();
    for row in &rows {
        let Some(record_path) = row.first() else {
            continue;
        };
        let path = resolve_record_path(record_path, base);
        let Some(parent) = path.parent() else {
            refused.push(record_path.clone());
            continue;
        };
        if !path.starts_with(&venv.root) || venv_own_file(venv, &path).is_some() {
            refused.push(record_path.clone());
            continue;
        }
        // The metadata goes last and at once (below): until then the distribution still
        // counts as installed, so an interrupted removal is redone by the next run.
        if path.starts_with(&dist.dist_info) {
            continue;
        }
        let real_parent = match fs_err::canonicalize(parent) {
            Ok(p) => p,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(io_error(e)),
        };
        if !real_parent.starts_with(&real_root) {
            refused.push(record_path.clone());
            continue;
        }
        remove_file(&path).map_err(io_error)?;
        touched_dirs.insert(parent.to_path_buf());
        if let (Some(stem), Some("py")) = (
            path.file_stem().and_then(|s| s.to_str()),
            path.extension().and_then(|s| s.to_str()),
        ) {
            let pycache = parent.join("__pycache__");
            remove_pycs(&pycache, stem).map_err(io_error)?;
            touched_dirs.insert(pycache);
        }
    }

    // Renamed out of sight first (a `.`-name is no distribution to `installed()`, pip or
    // importlib), so there is never a half-deleted dist-info that looks installed or that
    // nothing would ever remove.
    let hidden = dist.dist_info.with_file_name(format!(
        ".{}.verse-removed-{}",
        dist.dist_info
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        std::process::id()
    ));
    match fs_err::rename(&dist.dist_info, &hidden) {
        Ok(()) => fs_err::remove_dir_all(&hidden).map_err(io_error)?,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_error(e)),
    }
    if let Some(parent) = dist.dist_info.parent() {
        touched_dirs.insert(parent.to_path_buf());
    }

    prune_empty_dirs(venv, touched_dirs);

    if refused.is_empty() {
        Ok(())
    } else {
        Err(InstallError::UnsafeRecord {
            name,
            paths: refused,
        })
    }
}

/// Removes each of `dirs` and its parents while they are empty, inside the venv, sparing the
/// venv's own directories.
pub(crate) fn prune_empty_dirs(venv: &Venv, dirs: impl IntoIterator<Item = PathBuf>) {
    let protected = protected_dirs(venv);
    // Deepest first, so a parent is tried after its children.
    let mut dirs: Vec<PathBuf> = dirs.into_iter().collect();
    dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    for dir in dirs {
        let mut current = Some(dir.as_path());
        while let Some(dir) = current {
            if !dir.starts_with(&venv.root) || protected.contains(dir) {
                break;
            }
            // `remove_dir` only removes an empty directory: the first non-empty one stops us.
            if std::fs::remove_dir(dir).is_err() {
                break;
            }
            current = dir.parent();
        }
    }
}

fn remove_file(path: &Path) -> io::Result<()> {
    match fs_err::symlink_metadata(path) {
        // RECORD lists files; a directory in its place is not ours to delete wholesale.
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => match fs_err::remove_file(path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        },
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Removes `<pycache>/<stem>.<tag>[.opt-N].pyc`.
fn remove_pycs(pycache: &Path, stem: &str) -> io::Result<()> {
    let entries = match fs_err::read_dir(pycache) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    let prefix = format!("{stem}.");
    for entry in entries {
        let entry = entry?;
        let file_name = entry.file_name();
        let Some(file_name) = file_name.to_str() else {
            continue;
        };
        let rest = file_name.strip_prefix(&prefix);
        // `<stem>.<tag>.pyc`: exactly one more dotted part before `.pyc` (or `.opt-N`), so
        // `mod.py`'s pycs never take `mod.sub.cpython-311.pyc` along.
        let is_pyc = rest.is_some_and(|r| {
            r.strip_suffix(".pyc").is_some_and(|tag| {
                let mut parts = tag.split('.');
                let first = parts.next().is_some_and(|p| !p.is_empty());
                let opt = parts.next().is_none_or(|p| p.starts_with("opt-"));
                first && opt && parts.next().is_none()
            })
        });
        if is_pyc {
            remove_file(&entry.path())?;
        }
    }
    Ok(())
}

/// The venv's fixed directories and all their ancestors inside the venv.
fn protected_dirs(venv: &Venv) -> BTreeSet<PathBuf> {
    let mut protected = BTreeSet::new();
    for dir in [
        &venv.root,
        &venv.purelib,
        &venv.platlib,
        &venv.scripts,
        &venv.data,
    ] {
        for ancestor in dir.ancestors() {
            protected.insert(ancestor.to_path_buf());
        }
    }
    // Headers land in `include/site/pythonX.Y/<name>/`, made on demand: prune up to `include/`.
    protected.insert(venv.root.join("include"));
    protected
}
