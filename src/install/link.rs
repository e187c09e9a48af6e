//! Placing a file of the unpacked-wheel cache into the venv: by clone (reflink), hard link or
//! copy, each atomic (a temporary name beside the destination, then a rename), with the
//! automatic fallback clone → hardlink → copy.
//!
//! The fallback is decided once per run: the first placement that fails because the mode
//! cannot work here (another filesystem, no reflink support, links forbidden) downgrades the
//! shared [`Linker`] for every later file, so a run pays for a failing probe at most once per
//! worker thread.
//!
//! "Clone" is a copy through `copy_file_range(2)` (what `std::io::copy` uses between files),
//! which btrfs, XFS, bcachefs and ZFS turn into a reflink. verse forbids `unsafe`, so there is
//! no `FICLONE` ioctl to ask for a reflink and fail when there is none: instead, clone is only
//! kept when the cache's filesystem is one of those (from `/proc/self/mountinfo`) and the venv
//! is on the same device; anywhere else it degrades to hardlink.
//!
//! Not done here: deciding which files may be linked (generated files such as RECORD,
//! INSTALLER, REQUESTED, rewritten scripts and launchers are always written by `wheel.rs`).

use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicU8, Ordering};

use super::fsutil::{self, Mode};

/// How files of the unpacked cache reach the venv (`--link-mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkMode {
    /// A reflink (copy-on-write copy) where the filesystem has them; else hardlink, then copy.
    Clone,
    /// A hard link to the cache's file; else a copy.
    Hardlink,
    /// A full copy.
    Copy,
}

impl LinkMode {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkMode::Clone => "clone",
            LinkMode::Hardlink => "hardlink",
            LinkMode::Copy => "copy",
        }
    }

    fn code(self) -> u8 {
        match self {
            LinkMode::Clone => 0,
            LinkMode::Hardlink => 1,
            LinkMode::Copy => 2,
        }
    }

    fn from_code(code: u8) -> LinkMode {
        match code {
            0 => LinkMode::Clone,
            1 => LinkMode::Hardlink,
            _ => LinkMode::Copy,
        }
    }
}

impl std::str::FromStr for LinkMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "clone" => Ok(LinkMode::Clone),
            "hardlink" => Ok(LinkMode::Hardlink),
            "copy" => Ok(LinkMode::Copy),
            other => Err(format!(
                "unknown link mode `{other}` (valid: clone, hardlink, copy)"
            )),
        }
    }
}

/// The link mode of one run, shared by the install workers; it only ever degrades.
#[derive(Debug)]
pub struct Linker {
    mode: AtomicU8,
    /// Whether the clone probe (filesystem type) has run.
    probed: AtomicU8,
}

impl Linker {
    pub fn new(mode: LinkMode) -> Linker {
        Linker {
            mode: AtomicU8::new(mode.code()),
            probed: AtomicU8::new(0),
        }
    }

    /// The mode files are placed with now (after any fallback so far).
    pub fn mode(&self) -> LinkMode {
        LinkMode::from_code(self.mode.load(Ordering::Relaxed))
    }

    fn degrade_to(&self, mode: LinkMode) {
        self.mode.fetch_max(mode.code(), Ordering::Relaxed);
    }

    /// Places `src` (a file of the unpacked cache) at `dest`, replacing any file there
    /// atomically; true if nothing was at `dest` before. `mode` is the one a copy gets; a
    /// hard link shares the cache file's, which was created with the same `mode`.
    pub(crate) fn place(&self, src: &Path, dest: &Path, mode: Mode) -> io::Result<bool> {
        if self.probed.swap(1, Ordering::Relaxed) == 0
            && self.mode() == LinkMode::Clone
            && !reflinks_between(src, dest)
        {
            self.degrade_to(LinkMode::Hardlink);
        }
        loop {
            let current = self.mode();
            let result = match current {
                // A clone is a kernel-side copy that the filesystem turns into a reflink.
                LinkMode::Clone | LinkMode::Copy => copy(src, dest, mode),
                LinkMode::Hardlink => hardlink(src, dest),
            };
            match result {
                Err(e) if current == LinkMode::Hardlink && too_many_links(&e) => {
                    // This file only: its inode is full, the next one may not be.
                    return copy(src, dest, mode);
                }
                Err(e) if current != LinkMode::Copy && is_unsupported(&e) => {
                    self.degrade_to(if current == LinkMode::Clone {
                        LinkMode::Hardlink
                    } else {
                        LinkMode::Copy
                    });
                }
                other => return other,
            }
        }
    }
}

/// The errors that say "this mode cannot work here", as opposed to a real failure.
pub(crate) fn is_unsupported(error: &io::Error) -> bool {
    const EPERM: i32 = 1;
    const EXDEV: i32 = 18;
    const EINVAL: i32 = 22;
    const ENOSYS: i32 = 38;
    const EOPNOTSUPP: i32 = 95;
    error.kind() == io::ErrorKind::Unsupported
        || matches!(
            error.raw_os_error(),
            Some(EPERM | EXDEV | EINVAL | ENOSYS | EOPNOTSUPP)
        )
}

fn too_many_links(error: &io::Error) -> bool {
    const EMLINK: i32 = 31;
    error.raw_os_error() == Some(EMLINK)
}

/// A link made straight at `dest` is atomic already; only a file in the way (a reinstall,
/// a namespace file another wheel placed) needs the temporary name and the rename. The
/// directory is created only when the link says it is missing: in a fresh venv that saves a
/// `mkdir` and a `stat` per file (this is the warm install's hot loop).
fn hardlink(src: &Path, dest: &Path) -> io::Result<bool> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        match std::fs::hard_link(src, dest) {
            Ok(()) => return Ok(true),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                return fsutil::place_atomic(dest, |tmp| std::fs::hard_link(src, tmp))
                    .map(|()| false);
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound && attempt < 10 => {
                // The source is there (it is the cache's): the destination's directory is not.
                if !src.exists() {
                    return Err(e);
                }
                if let Some(parent) = dest.parent() {
                    match fs_err::create_dir_all(parent) {
                        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                        other => other?,
                    }
                }
            }
            Err(e) => return Err(e),
        }
    }
}

/// Like [`hardlink`], a copy goes straight to `dest` when nothing is there (created with
/// `O_EXCL`, as pip writes a new file), and through a temporary name and a rename only over an
/// existing file, which a running process may have open. In a fresh venv (the warm install
/// with the cache on another filesystem) that saves a `stat`, a `mkdir -p` and a `rename` per
/// file. The bytes move by `copy_file_range(2)` inside the kernel where it can (`io::copy`).
/// A copy cut short leaves a partial file that no RECORD lists: the failed install removes
/// what it created, and an interrupted one is redone over it by the next run.
fn copy(src: &Path, dest: &Path, mode: Mode) -> io::Result<bool> {
    #[cfg(unix)]
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};

    let mut source = std::fs::File::open(src)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(mode.create);
    let mut attempt = 0;
    let mut out = loop {
        attempt += 1;
        match options.open(dest) {
            Ok(file) => break file,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                return fsutil::write_atomic(dest, mode, |file| {
                    let mut out: &std::fs::File = file.file();
                    io::copy(&mut source, &mut out).map(drop)
                })
                .map(|()| false);
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound && attempt < 10 => {
                if let Some(parent) = dest.parent() {
                    match fs_err::create_dir_all(parent) {
                        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                        other => other?,
                    }
                }
            }
            Err(e) => return Err(e),
        }
    };
    let result = (|| {
        io::copy(&mut source, &mut out)?;
        #[cfg(unix)]
        if mode.add != 0 {
            let current = out.metadata()?.permissions().mode();
            out.set_permissions(std::fs::Permissions::from_mode(
                (current | mode.add) & 0o7777,
            ))?;
        }
        Ok(())
    })();
    if result.is_err() {
        drop(out);
        let _ = std::fs::remove_file(dest);
    }
    result.map(|()| true)
}

/// Whether a copy from `src` to `dest` can become a reflink: same device, on a filesystem
/// whose `copy_file_range` reflinks.
#[cfg(target_os = "linux")]
fn reflinks_between(src: &Path, dest: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let (Some(src_dir), Some(dest_dir)) = (src.parent(), dest.parent()) else {
        return false;
    };
    let dest_dir = dest_dir
        .ancestors()
        .find(|d| d.exists())
        .unwrap_or(dest_dir);
    let (Ok(a), Ok(b)) = (std::fs::metadata(src_dir), std::fs::metadata(dest_dir)) else {
        return false;
    };
    if a.dev() != b.dev() {
        return false;
    }
    let Ok(mountinfo) = std::fs::read_to_string("/proc/self/mountinfo") else {
        return false;
    };
    filesystem_of(&mountinfo, a.dev()).is_some_and(|fs| reflink_filesystem(&fs))
}

#[cfg(not(target_os = "linux"))]
fn reflinks_between(_src: &Path, _dest: &Path) -> bool {
    false
}

fn reflink_filesystem(fs: &str) -> bool {
    matches!(fs, "btrfs" | "xfs" | "bcachefs" | "zfs")
}

/// The filesystem type of the mount with device number `dev`, from mountinfo's
/// `ID PARENT MAJOR:MINOR ROOT MOUNT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER`.
fn filesystem_of(mountinfo: &str, dev: u64) -> Option<String> {
    // glibc's gnu_dev_major/minor.
    let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & !0xfff);
    let minor = (dev & 0xff) | ((dev >> 12) & !0xff);
    let wanted = format!("{major}:{minor}");
    mountinfo.lines().find_map(|line| {
        let mut fields = line.split(' ');
        if fields.nth(2)? != wanted {
            return None;
        }
        let mut after = line.split(" - ").nth(1)?.split(' ');
        after.next().map(str::to_string)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_link_modes() {
        assert_eq!("clone".parse::<LinkMode>(), Ok(LinkMode::Clone));
        assert_eq!("hardlink".parse::<LinkMode>(), Ok(LinkMode::Hardlink));
        assert_eq!("copy".parse::<LinkMode>(), Ok(LinkMode::Copy));
        assert!("symlink".parse::<LinkMode>().is_err());
    }

    #[test]
    fn finds_the_filesystem_of_a_device() {
        let mountinfo = "22 1 0:21 / /dev/shm rw,relatime shared:2 - tmpfs tmpfs rw\n\
                         23 1 253:0 / / rw,relatime shared:1 - btrfs /dev/vda rw\n";
        assert_eq!(filesystem_of(mountinfo, 253 << 8).as_deref(), Some("btrfs"));
        assert_eq!(filesystem_of(mountinfo, 21).as_deref(), Some("tmpfs"));
        assert_eq!(filesystem_of(mountinfo, 7), None);
    }

    #[test]
    fn a_cross_device_link_degrades_to_copy_for_the_rest_of_the_run() {
        let exdev = io::Error::from_raw_os_error(18);
        assert!(is_unsupported(&exdev));
        assert!(!is_unsupported(&io::Error::from_raw_os_error(2)));
        let linker = Linker::new(LinkMode::Hardlink);
        linker.degrade_to(LinkMode::Copy);
        // It never climbs back.
        linker.degrade_to(LinkMode::Hardlink);
        assert_eq!(linker.mode(), LinkMode::Copy);
    }

    #[test]
    fn places_by_hardlink_and_by_copy() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("cache/a.py");
        std::fs::create_dir_all(src.parent().unwrap()).unwrap();
        std::fs::write(&src, b"x = 1\n").unwrap();
        let linker = Linker::new(LinkMode::Hardlink);
        let linked = dir.path().join("venv1/pkg/a.py");
        linker.place(&src, &linked, Mode::FILE).unwrap();
        assert_eq!(std::fs::metadata(&linked).unwrap().nlink(), 2);
        let copier = Linker::new(LinkMode::Copy);
        let copied = dir.path().join("venv2/pkg/a.py");
        copier.place(&src, &copied, Mode::FILE).unwrap();
        assert_eq!(std::fs::metadata(&copied).unwrap().nlink(), 1);
        assert_eq!(std::fs::read(&copied).unwrap(), b"x = 1\n");
        // Replacing a linked file swaps the venv's name only: the cache's file is untouched.
        let other = dir.path().join("other.py");
        std::fs::write(&other, b"y = 2\n").unwrap();
        copier.place(&other, &linked, Mode::FILE).unwrap();
        assert_eq!(std::fs::read(&src).unwrap(), b"x = 1\n");
    }

    #[test]
    fn a_copy_tells_new_from_replaced_and_gets_the_members_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("cache/tool");
        std::fs::create_dir_all(src.parent().unwrap()).unwrap();
        std::fs::write(&src, b"#!/bin/sh\n").unwrap();
        let copier = Linker::new(LinkMode::Copy);
        let dest = dir.path().join("venv/bin/deep/tool");
        assert!(copier.place(&src, &dest, Mode::EXECUTABLE).unwrap());
        let mode = std::fs::metadata(&dest).unwrap().permissions().mode();
        assert_eq!(mode & 0o111, 0o111, "mode {mode:o}");
        // Over an existing file: replaced by a rename (a new inode), reported as not new.
        let before = std::fs::metadata(&dest).unwrap();
        assert!(!copier.place(&src, &dest, Mode::FILE).unwrap());
        let after = std::fs::metadata(&dest).unwrap();
        use std::os::unix::fs::MetadataExt;
        assert_ne!(before.ino(), after.ino());
        assert_eq!(std::fs::read(&dest).unwrap(), b"#!/bin/sh\n");
        // No temporary file is left beside it.
        let names: Vec<_> = std::fs::read_dir(dest.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("tool")]);
    }

    #[test]
    fn falls_back_to_copy_across_filesystems() {
        use std::os::unix::fs::MetadataExt;
        // /dev/shm is a tmpfs on Linux: a link from there into a temp dir on the disk fails
        // with EXDEV. Where both are one filesystem, the test proves nothing and says so.
        let Ok(shm) = tempfile::tempdir_in("/dev/shm") else {
            eprintln!("no /dev/shm: skipped");
            return;
        };
        let disk = tempfile::tempdir_in(std::env::temp_dir()).unwrap();
        let (a, b) = (
            std::fs::metadata(shm.path()).unwrap().dev(),
            std::fs::metadata(disk.path()).unwrap().dev(),
        );
        if a == b {
            eprintln!("/dev/shm is on the same device: skipped");
            return;
        }
        let src = shm.path().join("a.py");
        std::fs::write(&src, b"x = 1\n").unwrap();
        let linker = Linker::new(LinkMode::Clone);
        let dest = disk.path().join("pkg/a.py");
        linker.place(&src, &dest, Mode::FILE).unwrap();
        assert_eq!(linker.mode(), LinkMode::Copy);
        assert_eq!(std::fs::read(&dest).unwrap(), b"x = 1\n");
        assert_eq!(std::fs::metadata(&dest).unwrap().nlink(), 1);
    }
}
