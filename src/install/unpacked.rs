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
use std::sync::atomic::{AtomicUsize, Ordering};

use super::archive::{self, Expected};
use super::fsutil::Mode;
use super::link::Linker;
use super::member::Scratch;
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
    let (archive, entries) = wheel::open(wheel, errors)?;
    let digests = wheel::record_digests(&archive, &entries, filename, errors)?;
    let staging = tempfile::Builder::new()
        .prefix("unpack-")
        .tempdir_in(tmp)
        .map_err(|e| errors.io(e))?;
    let root = staging.path().join(TREE);
    let groups = split(&entries, threads_for(&entries));
    // The member that failed first in archive order: every thread leaves the members after it
    // alone, and finishes those before it, so the error reported is the one a sequential
    // unpack would meet.
    let first_failure = AtomicUsize::new(usize::MAX);
    let unpack = |group: &[usize]| -> Option<(usize, InstallError)> {
        let mut scratch = Scratch::new();
        for &at in group {
            if at > first_failure.load(Ordering::Relaxed) {
                return None;
            }
            let entry = &entries[at];
            let written = join(&root, &entry.name)
                .map_err(|m| errors.invalid(m))
                .and_then(|dest| {
                    let mode = if entry.executable {
                        Mode::EXECUTABLE
                    } else {
                        Mode::FILE
                    };
                    archive::extract(
                        &archive,
                        &mut scratch,
                        entry.index,
                        &entry.name,
                        entry.size,
                        mode,
                        digests.get(&entry.name),
                        &dest,
                        archive::Write::Staging,
                    )
                    .map_err(|e| errors.extract(&entry.name, e))
                });
            if let Err(error) = written {
                first_failure.fetch_min(at, Ordering::Relaxed);
                return Some((at, error));
            }
        }
        None
    };
    let failures: Vec<(usize, InstallError)> = std::thread::scope(|scope| {
        // A group whose thread the system refuses (a thread limit) is unpacked here instead.
        let (others, refused): (Vec<_>, Vec<_>) = groups[1..]
            .iter()
            .map(|group| {
                std::thread::Builder::new()
                    .spawn_scoped(scope, || unpack(group))
                    .map_err(|_| group)
            })
            .partition(Result::is_ok);
        let mut failures: Vec<_> = unpack(&groups[0]).into_iter().collect();
        for group in refused.into_iter().filter_map(Result::err) {
            failures.extend(unpack(group));
        }
        for other in others.into_iter().filter_map(Result::ok) {
            match other.join() {
                Ok(failure) => failures.extend(failure),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        failures
    });
    if let Some((_, error)) = failures.into_iter().min_by_key(|(at, _)| *at) {
        return Err(error);
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

/// Below this many bytes a wheel is unpacked by one thread: starting more costs more than it
/// saves, and other wheels unpack at the same time anyway.
const PARALLEL_FROM: u64 = 8 << 20;

/// How many threads unpack `entries`: one per [`PARALLEL_FROM`] bytes, at most one per core.
/// A wheel the size of scipy's or torch's would otherwise be unpacked by one core while the
/// others idle, the last thing a cold install waits for.
fn threads_for(entries: &[Entry]) -> usize {
    let total: u64 = entries.iter().map(|e| e.size).sum();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    usize::try_from(total / PARALLEL_FROM)
        .unwrap_or(usize::MAX)
        .clamp(1, cores)
}

/// Splits the positions of `entries` into `count` groups of about equal bytes (largest first,
/// each to the lightest group), each group in archive order.
fn split(entries: &[Entry], count: usize) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by_key(|&at| std::cmp::Reverse(entries[at].size));
    let mut groups = vec![(0u64, Vec::new()); count.max(1)];
    for at in order {
        let lightest = groups
            .iter_mut()
            .min_by_key(|(bytes, _)| *bytes)
            .expect("at least one group");
        // Every file costs a create and a close, whatever its size.
        lightest.0 += entries[at].size + 4096;
        lightest.1.push(at);
    }
    groups
        .into_iter()
        .map(|(_, mut group)| {
            group.sort_unstable();
            group
        })
        .collect()
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
