//! Writing one file into the venv atomically: a uniquely named temporary file next to the
//! destination, filled, given its mode, then renamed over the destination.
//!
//! The rename is what makes concurrent installs of different wheels into shared (namespace)
//! directories safe, and it replaces an existing file without truncating it in place, so a
//! process that has an old `.so` mapped keeps its copy (pip unlinks first for the same reason).

use std::fs::Permissions;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

#[cfg(unix)]
use fs_err::os::unix::fs::OpenOptionsExt;
#[cfg(unix)]
use std::os::unix::fs::PermissionsExt;

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// File modes as pip produces them. The umask applies to `create`; `add` is OR-ed in after,
/// exactly like pip's `chmod(0o777 & ~umask | 0o111)` and distlib's `mode | 0o555`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Mode {
    pub create: u32,
    pub add: u32,
}

impl Mode {
    /// A plain data file: `0o666 & ~umask`.
    pub const FILE: Mode = Mode {
        create: 0o666,
        add: 0,
    };
    /// An archive member with an executable bit: `0o777 & ~umask | 0o111`.
    pub const EXECUTABLE: Mode = Mode {
        create: 0o777,
        add: 0o111,
    };
    /// A generated launcher: `(0o666 & ~umask) | 0o555`, i.e. 0755 under the usual umask.
    pub const LAUNCHER: Mode = Mode {
        create: 0o666,
        add: 0o555,
    };
}

/// A fresh temporary path beside `dest` that no other writer (thread or process) uses.
pub(crate) fn temp_path_for(dest: &Path) -> PathBuf {
    // The destination's name keeps temporary files recognisable; cut so that the result stays
    // under NAME_MAX (255 bytes) whatever the destination's length.
    let full = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut name = String::new();
    for c in full.chars() {
        if name.len() + c.len_utf8() > 100 {
            break;
        }
        name.push(c);
    }
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    // The process id once: `std::process::id()` is a system call each time.
    static PID: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    let pid = *PID.get_or_init(std::process::id);
    dest.with_file_name(format!(".{name}.{pid}-{n}.verse-tmp"))
}

/// Writes `dest` through `fill`, creating parent directories as needed.
pub(crate) fn write_atomic(
    dest: &Path,
    mode: Mode,
    fill: impl FnOnce(&mut fs_err::File) -> io::Result<()>,
) -> io::Result<()> {
    let tmp = temp_path_for(dest);
    let mut file = create_in_dir(&tmp, mode)?;
    let result = (|| {
        fill(&mut file)?;
        #[cfg(unix)]
        if mode.add != 0 {
            let current = file.metadata()?.permissions().mode();
            file.set_permissions(Permissions::from_mode((current | mode.add) & 0o7777))?;
        }
        drop(file);
        fs_err::rename(&tmp, dest)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Writes a new file at `dest` directly, for a private staging tree that is published whole
/// by one rename (the unpacked cache): no temporary name per file, and a parent directory is
/// made only when the open says it is missing (not a `mkdir -p` per file). On a cold install
/// those were half the system calls. A failure leaves a partial file for the caller to drop
/// with its tree.
pub(crate) fn write_new(
    dest: &Path,
    mode: Mode,
    fill: impl FnOnce(&mut fs_err::File) -> io::Result<()>,
) -> io::Result<()> {
    let mut options = fs_err::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(mode.create);
    let mut file = match options.open(dest) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if let Some(parent) = dest.parent() {
                fs_err::create_dir_all(parent)?;
            }
            options.open(dest)?
        }
        other => other?,
    };
    fill(&mut file)?;
    #[cfg(unix)]
    if mode.add != 0 {
        let current = file.metadata()?.permissions().mode();
        file.set_permissions(Permissions::from_mode((current | mode.add) & 0o7777))?;
    }
    Ok(())
}

/// Creates `tmp` (and its parent directories). An uninstall running at the same time may prune
/// a parent that was empty a moment ago; once the file exists the directory is not empty and
/// stays, so a few retries settle it.
fn create_in_dir(tmp: &Path, mode: Mode) -> io::Result<fs_err::File> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        if let Some(parent) = tmp.parent() {
            match fs_err::create_dir_all(parent) {
                Err(e) if e.kind() == io::ErrorKind::NotFound && attempt < 10 => continue,
                other => other?,
            }
        }
        let mut options = fs_err::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        options.mode(mode.create);
        match options.open(tmp) {
            Err(e) if e.kind() == io::ErrorKind::NotFound && attempt < 10 => continue,
            other => return other,
        }
    }
}

/// Makes `dest` by `make` (a hard link, say) at a temporary name beside it, then renames it
/// over `dest`; parent directories are created as needed.
pub(crate) fn place_atomic(
    dest: &Path,
    make: impl FnOnce(&Path) -> io::Result<()>,
) -> io::Result<()> {
    let tmp = temp_path_for(dest);
    let mut attempt = 0;
    if let Some(parent) = tmp.parent() {
        loop {
            attempt += 1;
            match fs_err::create_dir_all(parent) {
                Err(e) if e.kind() == io::ErrorKind::NotFound && attempt < 10 => continue,
                other => break other?,
            }
        }
    }
    make(&tmp)?;
    let result = fs_err::rename(&tmp, dest);
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Writes `content` to `dest` atomically with `mode`.
pub(crate) fn write_bytes(dest: &Path, mode: Mode, content: &[u8]) -> io::Result<()> {
    write_atomic(dest, mode, |file| io::Write::write_all(file, content))
}
