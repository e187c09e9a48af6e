//! The unpacked-wheel cache: each verified wheel unpacked once into
//! `<cache>/unpacked-v2/<algorithm>/<digest>/` (`tree/` holds the members at their archive
//! names with pip's modes, `entries.json` the regular files in archive order), and installs
//! that link from that tree instead of unzipping again.
//!
//! A tree is built in a temporary directory inside the cache and renamed into place, so a
//! tree that exists is complete; two processes that unpack the same wheel at once both build
//! one, the first rename wins and the other's copy is dropped.
//!
//! A known limit, shared with uv: with hard links the venv's file *is* the cache's file, so a
//! tool that edits an installed file in place (opening it for writing, rather than writing a
//! new file and renaming it, as pip, uv and verse all do) changes it for every later venv too.
//! Use `--link-mode copy` (or clone on btrfs/XFS) where installed files get patched in place.
//!
//! Every member is checked against the wheel's RECORD while the tree is written (`archive.rs`),
//! so a published tree holds only verified bytes and is trusted afterwards.
//!
//! Not done here: verifying the wheel's hash (`fetch` did, before the tree was made), the
//! layout rules (`wheel.rs`, shared with the direct unzip path).

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::archive::{self, Expected};
use super::fsutil::Mode;
use super::link::Linker;
use super::paths::member_components;
use super::wheel::{self, Entry, Errors, Extract, Source};
use super::{InstallError, InstalledDistribution, WheelOptions};
use crate::packaging::WheelFilename;
use crate::venv::Venv;

const ENTRIES: &str = "entries.json";
const TREE: &str = "tree";

/// Installs `wheel` through its unpacked tree `dir` (made first if missing; `tmp` is a
/// directory on the same filesystem for building it), placing files with `linker`.
pub(crate) fn install(
    venv: &Venv,
    wheel: &Path,
    filename: &WheelFilename,
    options: &WheelOptions,
    dir: &Path,
    tmp: &Path,
    linker: &Linker,
) -> Result<InstalledDistribution, InstallError> {
    let errors = wheel::errors_for(filename);
    let python = wheel::venv_python(venv, &errors)?;
    let entries = ensure(wheel, filename, dir, tmp, &errors)?;
    let mut tree = Tree {
        root: dir.join(TREE),
        linker,
    };
    wheel::install_from(
        venv, &mut tree, &entries, filename, options, python, &errors,
    )
}

/// The entries of the tree at `dir`, unpacking `wheel` there first if it is not yet. Every
/// member is checked against the wheel's RECORD as it is written, so a published tree holds
/// only verified bytes.
pub(crate) fn ensure(
    wheel: &Path,
    filename: &WheelFilename,
    dir: &Path,
    tmp: &Path,
    errors: &Errors,
) -> Result<Vec<Entry>, InstallError> {
    if let Some(entries) = read_entries(dir) {
        return Ok(entries);
    }
    let (mut archive, entries) = wheel::open(wheel, errors)?;
    let digests = wheel::record_digests(&mut archive, &entries, filename, errors)?;
    let staging = tempfile::Builder::new()
        .prefix("unpack-")
        .tempdir_in(tmp)
        .map_err(|e| errors.io(e))?;
    let root = staging.path().join(TREE);
    for entry in &entries {
        let dest = join(&root, &entry.name).map_err(|m| errors.invalid(m))?;
        let mode = if entry.executable {
            Mode::EXECUTABLE
        } else {
            Mode::FILE
        };
        let expected = digests.get(&entry.name);
        wheel::extract(
            &mut archive,
            entry.index,
            &entry.name,
            entry.size,
            mode,
            expected,
            &dest,
            archive::Write::Staging,
        )
        .map_err(|e| errors.extract(&entry.name, e))?;
    }
    let json = serde_json::to_vec(&entries).map_err(|e| errors.io(io::Error::other(e)))?;
    fs_err::write(staging.path().join(ENTRIES), json).map_err(|e| errors.io(e))?;
    if let Some(parent) = dir.parent() {
        fs_err::create_dir_all(parent).map_err(|e| errors.io(e))?;
    }
    match std::fs::rename(staging.path(), dir) {
        Ok(()) => {
            // The tree now lives at `dir`: nothing left to delete.
            let _ = staging.keep();
            Ok(entries)
        }
        // Another process renamed its tree first (the target is a non-empty directory).
        Err(_) if read_entries(dir).is_some() => Ok(entries),
        Err(e) => Err(errors.io(e)),
    }
}

/// The entry list of a complete tree, or `None` (no tree, or one verse cannot read: it is
/// then rebuilt beside and the rename fails, so the direct path serves).
fn read_entries(dir: &Path) -> Option<Vec<Entry>> {
    let bytes = std::fs::read(dir.join(ENTRIES)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn join(root: &Path, name: &str) -> Result<PathBuf, String> {
    let mut path = root.to_path_buf();
    path.extend(member_components(name)?);
    Ok(path)
}

/// A wheel's unpacked tree as the source of an install.
struct Tree<'a> {
    root: PathBuf,
    linker: &'a Linker,
}

/// The tree was checked against RECORD when it was made: `expected` is not needed again.
impl Source for Tree<'_> {
    fn read(
        &mut self,
        _index: usize,
        name: &str,
        size: u64,
        _expected: Option<&Expected>,
    ) -> Result<Vec<u8>, Extract> {
        archive::check_in_memory(name, size)?;
        let path = join(&self.root, name).map_err(Extract::Archive)?;
        let failed = |e: std::io::Error| Extract::Archive(format!("{}: {e}", path.display()));
        let file = std::fs::File::open(&path).map_err(failed)?;
        let mut out = Vec::new();
        wheel::bounded(file, size)
            .read_to_end(&mut out)
            .map_err(failed)?;
        Ok(out)
    }

    fn verify(
        &mut self,
        _index: usize,
        _name: &str,
        _size: u64,
        _expected: Option<&Expected>,
    ) -> Result<(), Extract> {
        Ok(())
    }

    fn place(
        &mut self,
        _index: usize,
        name: &str,
        mode: Mode,
        _size: u64,
        _expected: Option<&Expected>,
        dest: &Path,
    ) -> Result<bool, Extract> {
        let path = join(&self.root, name).map_err(Extract::Archive)?;
        self.linker.place(&path, dest, mode).map_err(Extract::Io)
    }
}
