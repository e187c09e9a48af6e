//! Installs verified wheels into a venv exactly as pip does: purelib/platlib, the `.data/`
//! scheme mapping, RECORD rewritten with installed paths and hashes, INSTALLER, console and
//! gui launchers, `#!python` shebangs, executable bits. Also reads what is installed, removes
//! a distribution by its RECORD, and installs the root project editable the way Poetry does.
//!
//! Files: `wheel.rs` (one wheel), `archive.rs` (the zip read as hostile input, members checked
//! against RECORD), `scripts.rs` (entry points, launchers, shebangs), `record.rs`
//! (RECORD CSV and digests), `paths.rs` (member-name safety, RECORD paths), `fsutil.rs` (atomic
//! writes with pip's modes), `uninstall.rs`, `editable.rs` (the root project).
//!
//! Not done here: choosing what to install or remove (`plan` and `run` decide), verifying the
//! archive's hash (`fetch` did). Bytecode is compiled afterwards, on request (`compile.rs`).

mod archive;
mod compile;
mod editable;
mod fsutil;
mod link;
mod member;
mod paths;
mod record;
mod scripts;
mod uninstall;
mod unpacked;
mod verify;

pub use verify::{verify, FileProblem, FileProblemKind, Verified};
mod wheel;

pub use compile::Compiled;
pub use link::{LinkMode, Linker};

use std::path::{Path, PathBuf};

use crate::lock::RootPackage;
use crate::packaging::{PackageName, Version, WheelFilename};
use crate::venv::Venv;

/// A distribution found in the venv's site-packages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstalledDistribution {
    pub name: PackageName,
    pub version: Version,
    /// Its `*.dist-info` directory.
    pub dist_info: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    #[error("cannot install {filename}: {message}")]
    InvalidWheel { filename: String, message: String },
    #[error("I/O error while installing {filename}")]
    Io {
        filename: String,
        #[source]
        source: std::io::Error,
    },
    /// An installed `.dist-info` that cannot be read (no METADATA, no Name/Version...).
    #[error("{path}: {message}")]
    InvalidMetadata { path: PathBuf, message: String },
    /// Uninstall removed what it could but refused RECORD paths outside the venv.
    #[error("refused to remove files of {name} outside the venv: {}", paths.join(", "))]
    UnsafeRecord { name: String, paths: Vec<String> },
    /// The root project cannot be installed editable.
    #[error("cannot install the project {name}: {message}")]
    InvalidProject { name: String, message: String },
}

/// How one wheel is installed.
#[derive(Clone, Debug, Default)]
pub struct WheelOptions {
    /// The user asked for it (a direct dependency of the project): write `REQUESTED`.
    pub requested: bool,
    /// The text of `direct_url.json` (PEP 610), for url/path/git packages; written if `Some`.
    pub direct_url: Option<String>,
}

/// The root project, to install editable.
#[derive(Clone, Debug)]
pub struct EditableProject {
    pub name: PackageName,
    pub version: String,
    /// The project directory (holds pyproject.toml), absolute.
    pub root: PathBuf,
    pub package: RootPackage,
}

/// Lists the distributions installed in the venv's purelib and platlib, sorted by path. A
/// `.dist-info` without METADATA is none (as for `importlib.metadata` and pip).
pub fn installed(venv: &Venv) -> Result<Vec<InstalledDistribution>, InstallError> {
    let mut dirs = vec![venv.purelib.clone()];
    if venv.platlib != venv.purelib {
        dirs.push(venv.platlib.clone());
    }
    let mut found = Vec::new();
    for dir in dirs {
        let entries = match fs_err::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(metadata_error(&dir, e.to_string())),
        };
        let mut paths = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| metadata_error(&dir, e.to_string()))?;
            let path = entry.path();
            // `~name-1.0.dist-info` is what an interrupted pip uninstall leaves behind (pip
            // itself ignores those as "invalid distributions"); `.`-names are staging dirs.
            let is_dist_info = path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(".dist-info") && !n.starts_with(['.', '~']));
            // Without METADATA it describes no distribution: `importlib.metadata` (hence
            // Poetry) and pip skip it, and one stray directory must not stop every install.
            if is_dist_info && path.is_dir() && path.join("METADATA").exists() {
                paths.push(path);
            }
        }
        paths.sort();
        for path in paths {
            found.push(read_dist_info(&path)?);
        }
    }
    Ok(found)
}

/// Installs one verified wheel (see `wheel.rs` for the exact behaviour).
pub fn install_wheel(
    venv: &Venv,
    wheel: &Path,
    filename: &WheelFilename,
    options: &WheelOptions,
) -> Result<InstalledDistribution, InstallError> {
    wheel::install(venv, wheel, filename, options)
}

/// Checks a wheel and unpacks it into `dir` (which must not exist; its parent is used for
/// staging) exactly as the unpacked cache does: the archive's structure and limits, and every
/// member against the wheel's RECORD. No venv is involved: for the `wheel_archive` fuzzer and
/// for checking wheels. Returns the regular files' names in archive order.
pub fn unpack_wheel(
    wheel: &Path,
    filename: &WheelFilename,
    dir: &Path,
) -> Result<Vec<String>, InstallError> {
    let errors = wheel::errors_for(filename);
    let tmp = dir.parent().unwrap_or(Path::new("."));
    let entries = unpacked::ensure(wheel, filename, dir, tmp, &errors)?;
    Ok(entries.into_iter().map(|e| e.name).collect())
}

/// Where a wheel's unpacked tree lives in the cache, and how its files reach the venv.
pub struct UnpackedCache<'a> {
    /// The wheel's tree: `<cache>/unpacked-v2/<algorithm>/<digest>`.
    pub dir: PathBuf,
    /// A directory on the cache's filesystem to build the tree in.
    pub tmp: &'a Path,
    pub linker: &'a Linker,
}

/// Installs one verified wheel through its unpacked tree in the cache (made on first use):
/// same layout as [`install_wheel`], files linked instead of unzipped. If the tree cannot
/// serve (an I/O error: a damaged cache, a full cache disk), the wheel is unzipped directly.
pub fn install_wheel_cached(
    venv: &Venv,
    wheel: &Path,
    filename: &WheelFilename,
    options: &WheelOptions,
    cache: &UnpackedCache<'_>,
) -> Result<InstalledDistribution, InstallError> {
    match unpacked::install(
        venv,
        wheel,
        filename,
        options,
        &cache.dir,
        cache.tmp,
        cache.linker,
    ) {
        Err(InstallError::Io { .. }) => wheel::install(venv, wheel, filename, options),
        other => other,
    }
}

/// Unpacks a verified wheel into its tree `dir` of the unpacked cache now, if it is not there
/// yet (`tmp` as in [`UnpackedCache`]), so that a later [`install_wheel_cached`] only links:
/// lets the caller unpack each wheel as soon as it is downloaded, while others still download.
pub fn prepare_unpacked(
    wheel: &Path,
    filename: &WheelFilename,
    dir: &Path,
    tmp: &Path,
) -> Result<(), InstallError> {
    unpacked::ensure(wheel, filename, dir, tmp, &wheel::errors_for(filename)).map(drop)
}

/// Marks the venv's site-packages directories as changed, so that a running interpreter's
/// import path cache (keyed on the directory's mtime) sees files linked in the same second.
pub fn touch_site_packages(venv: &Venv) {
    for dir in [&venv.purelib, &venv.platlib] {
        if let Ok(file) = std::fs::File::open(dir) {
            let _ = file.set_modified(std::time::SystemTime::now());
        }
    }
}

/// Byte-compiles the `.py` files of `dists` as pip does (see `compile.rs`), with up to
/// `workers` interpreters, and lists the `.pyc` files in their RECORDs.
pub fn compile(
    venv: &Venv,
    dists: &[InstalledDistribution],
    workers: usize,
) -> Result<Compiled, InstallError> {
    compile::compile(venv, dists, workers)
}

/// Removes an installed distribution by its RECORD (see `uninstall.rs`).
pub fn uninstall(venv: &Venv, dist: &InstalledDistribution) -> Result<(), InstallError> {
    uninstall::uninstall(venv, dist)
}

/// Installs the root project editable, as Poetry 2.x does (see `editable.rs`).
pub fn install_editable(
    venv: &Venv,
    project: &EditableProject,
) -> Result<InstalledDistribution, InstallError> {
    editable::install(venv, project)
}

fn metadata_error(path: &Path, message: String) -> InstallError {
    InstallError::InvalidMetadata {
        path: path.to_path_buf(),
        message,
    }
}

/// Reads `Name` and `Version` from a `.dist-info/METADATA` (email headers; the first
/// occurrence counts, the headers end at the first blank line).
fn read_dist_info(dist_info: &Path) -> Result<InstalledDistribution, InstallError> {
    let metadata = dist_info.join("METADATA");
    let text = read_headers(&metadata).map_err(|e| metadata_error(dist_info, e.to_string()))?;
    let header = |key: &str| {
        text.lines()
            .filter_map(|l| l.split_once(':'))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case(key))
            .map(|(_, v)| v.trim().to_string())
    };
    let name = header("Name").ok_or_else(|| metadata_error(&metadata, "no Name".into()))?;
    let version =
        header("Version").ok_or_else(|| metadata_error(&metadata, "no Version".into()))?;
    let name = name
        .parse::<PackageName>()
        .map_err(|e| metadata_error(&metadata, format!("invalid Name `{name}`: {e}")))?;
    let version = version
        .parse::<Version>()
        .map_err(|e| metadata_error(&metadata, format!("invalid Version `{version}`: {e}")))?;
    Ok(InstalledDistribution {
        name,
        version,
        dist_info: dist_info.to_path_buf(),
    })
}

/// The header lines of METADATA, up to the first blank one: only those are read and decoded,
/// not the long description after them (a no-op run reads every installed package's).
fn read_headers(metadata: &Path) -> std::io::Result<String> {
    use std::io::BufRead;
    let mut reader = std::io::BufReader::with_capacity(8192, fs_err::File::open(metadata)?);
    let (mut text, mut line) = (String::new(), Vec::new());
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(text);
        }
        let decoded = String::from_utf8_lossy(&line);
        if decoded.trim().is_empty() {
            return Ok(text);
        }
        text.push_str(&decoded);
    }
}

#[cfg(test)]
mod test_wheel;
#[cfg(test)]
mod tests;
