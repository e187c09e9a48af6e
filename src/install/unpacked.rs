//! The unpacked-wheel cache: each verified wheel unpacked once into
//! `<cache>/unpacked-v1/<algorithm>/<digest>/` (`tree/` holds the members at their archive
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
//! Not done here: verifying the wheel's hash (`fetch` did, before the tree was made), the
//! layout rules (`wheel.rs`, shared with the direct unzip path).

use std::io::{self, Read};
use std::path::{Path, PathBuf};

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
    let errors = wheel::errors_for(wheel);
    let python = wheel::venv_python(venv, &errors)?;
    let entries = ensure(wheel, dir, tmp, &errors)?;
    let mut tree = Tree {
        root: dir.join(TREE),
        linker,
    };
    wheel::install_from(
        venv, &mut tree, &entries, filename, options, python, &errors,
    )
}

/// The entries of the tree at `dir`, unpacking `wheel` there first if it is not yet.
pub(crate) fn ensure(
    wheel: &Path,
    dir: &Path,
    tmp: &Path,
    errors: &Errors,
) -> Result<Vec<Entry>, InstallError> {
    if let Some(entries) = read_entries(dir) {
        return Ok(entries);
    }
    let (mut archive, entries) = wheel::open(wheel, errors)?;
    let staging = tempfile::Builder::new()
        .prefix("unpack-")
        .tempdir_in(tmp)
        .map_err(|e| errors.io(e))?;
    let root = staging.path().join(TREE);
    let mut buffer = vec![0u8; 256 * 1024];
    for entry in &entries {
        let dest = join(&root, &entry.name).map_err(|m| errors.invalid(m))?;
        let mode = if entry.executable {
            Mode::EXECUTABLE
        } else {
            Mode::FILE
        };
        extract_new(&mut archive, entry, mode, &dest, &mut buffer).map_err(|e| match e {
            Extract::Io(source) => errors.io(source),
            Extract::Archive(m) => errors.invalid(format!("cannot read {}: {m}", entry.name)),
        })?;
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

/// Writes one member at `dest` inside the private staging tree. Nothing else writes there and
/// the whole tree is renamed into place at the end, so unlike a write into a venv this needs no
/// temporary name and rename per file, and a directory is made only when the file's open says
/// it is missing (not a `mkdir -p` per file): on a cold install these were half the system
/// calls. The member's size is bounded and its CRC checked (at its end) as for a venv write.
fn extract_new(
    archive: &mut wheel::Archive,
    entry: &Entry,
    mode: Mode,
    dest: &Path,
    buffer: &mut [u8],
) -> Result<(), Extract> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};

    let member = archive
        .by_index(entry.index)
        .map_err(|e| Extract::Archive(e.to_string()))?;
    let mut reader = wheel::bounded(member, entry.size);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(mode.create);
    let mut file = match options.open(dest) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if let Some(parent) = dest.parent() {
                fs_err::create_dir_all(parent).map_err(Extract::Io)?;
            }
            options.open(dest)
        }
        other => other,
    }
    .map_err(|e| Extract::Io(io::Error::new(e.kind(), format!("{}: {e}", dest.display()))))?;
    loop {
        let n = match reader.read(buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Extract::Archive(e.to_string())),
        };
        file.write_all(&buffer[..n]).map_err(Extract::Io)?;
    }
    #[cfg(unix)]
    if mode.add != 0 {
        let current = file.metadata().map_err(Extract::Io)?.permissions().mode();
        file.set_permissions(std::fs::Permissions::from_mode(
            (current | mode.add) & 0o7777,
        ))
        .map_err(Extract::Io)?;
    }
    Ok(())
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

impl Source for Tree<'_> {
    fn read(&mut self, _index: usize, name: &str, size: u64) -> Result<Vec<u8>, String> {
        let path = join(&self.root, name)?;
        let file = std::fs::File::open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut out = Vec::new();
        wheel::bounded(file, size)
            .read_to_end(&mut out)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(out)
    }

    fn place(
        &mut self,
        _index: usize,
        name: &str,
        mode: Mode,
        _size: u64,
        dest: &Path,
    ) -> Result<bool, Extract> {
        let path = join(&self.root, name).map_err(Extract::Archive)?;
        self.linker.place(&path, dest, mode).map_err(Extract::Io)
    }
}
