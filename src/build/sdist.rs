//! Unpacks a source distribution (`.tar.gz`, `.tgz`, `.tar`, `.zip`) into a directory and
//! finds its source tree, refusing entries that would land outside that directory.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum SdistError {
    #[error(
        "{file}: not a source archive verse can unpack (expected .tar.gz, .tgz, .tar or .zip)"
    )]
    UnknownFormat { file: String },
    #[error("{file}: cannot unpack: {message}")]
    Corrupt { file: String, message: String },
    #[error("{file}: the entry `{entry}` would be written outside the unpack directory")]
    Escapes { file: String, entry: String },
    #[error("cannot write {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Whether `file` names an archive [`unpack`] reads.
pub fn is_sdist(file: &str) -> bool {
    format_of(file).is_some()
}

#[derive(Clone, Copy)]
enum Format {
    TarGz,
    Tar,
    Zip,
}

fn format_of(file: &str) -> Option<Format> {
    let lower = file.to_ascii_lowercase();
    if lower.ends_with(".tar.gz") || lower.ends_with(".tgz") {
        Some(Format::TarGz)
    } else if lower.ends_with(".tar") {
        Some(Format::Tar)
    } else if lower.ends_with(".zip") {
        Some(Format::Zip)
    } else {
        None
    }
}

/// Unpacks `archive` (named `file` in the lock) into `dest` and returns the source tree: the
/// single top-level directory, as sdists are laid out, else `dest` itself.
pub fn unpack(archive: &Path, file: &str, dest: &Path) -> Result<PathBuf, SdistError> {
    let format = format_of(file).ok_or_else(|| SdistError::UnknownFormat {
        file: file.to_string(),
    })?;
    let corrupt = |message: String| SdistError::Corrupt {
        file: file.to_string(),
        message,
    };
    let opened = fs_err::File::open(archive).map_err(|source| SdistError::Io {
        path: archive.to_path_buf(),
        source,
    })?;
    match format {
        Format::TarGz => {
            unpack_tar(flate2::read::GzDecoder::new(opened), file, dest)?;
        }
        Format::Tar => unpack_tar(opened, file, dest)?,
        Format::Zip => {
            let mut zip = zip::ZipArchive::new(opened).map_err(|e| corrupt(e.to_string()))?;
            for index in 0..zip.len() {
                let mut entry = zip.by_index(index).map_err(|e| corrupt(e.to_string()))?;
                let name = entry
                    .name()
                    .map_err(|e| corrupt(e.to_string()))?
                    .into_owned();
                let relative = safe_relative(&name).ok_or_else(|| SdistError::Escapes {
                    file: file.to_string(),
                    entry: name.clone(),
                })?;
                let target = dest.join(relative);
                if entry.is_dir() {
                    create_dir(&target)?;
                    continue;
                }
                if let Some(parent) = target.parent() {
                    create_dir(parent)?;
                }
                let mut out =
                    fs_err::File::create(&target).map_err(|source| io(&target, source))?;
                std::io::copy(&mut entry, &mut out).map_err(|e| corrupt(e.to_string()))?;
                #[cfg(unix)]
                if let Some(mode) = entry.unix_mode() {
                    use std::os::unix::fs::PermissionsExt;
                    let mode = if mode & 0o111 != 0 { 0o755 } else { 0o644 };
                    let _ = out
                        .file()
                        .set_permissions(std::fs::Permissions::from_mode(mode));
                }
            }
        }
    }
    let mut top: Vec<PathBuf> = fs_err::read_dir(dest)
        .map_err(|source| io(dest, source))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .collect();
    if top.len() == 1 && top[0].is_dir() {
        return Ok(top.remove(0));
    }
    Ok(dest.to_path_buf())
}

/// Unpacks regular files and directories only: links (which could point anywhere) and
/// device entries are refused, and every path is checked to stay under `dest`.
fn unpack_tar(reader: impl Read, file: &str, dest: &Path) -> Result<(), SdistError> {
    let corrupt = |message: String| SdistError::Corrupt {
        file: file.to_string(),
        message,
    };
    let mut archive = tar::Archive::new(reader);
    archive.set_preserve_permissions(false);
    archive.set_overwrite(true);
    for entry in archive.entries().map_err(|e| corrupt(e.to_string()))? {
        let mut entry = entry.map_err(|e| corrupt(e.to_string()))?;
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let kind = entry.header().entry_type();
        if kind.is_pax_global_extensions()
            || kind.is_pax_local_extensions()
            || kind.is_gnu_longname()
        {
            continue;
        }
        let relative = safe_relative(&name).ok_or_else(|| SdistError::Escapes {
            file: file.to_string(),
            entry: name.clone(),
        })?;
        let target = dest.join(relative);
        if kind.is_dir() {
            create_dir(&target)?;
        } else if kind.is_file() || kind == tar::EntryType::Continuous {
            if let Some(parent) = target.parent() {
                create_dir(parent)?;
            }
            let mut out = fs_err::File::create(&target).map_err(|source| io(&target, source))?;
            std::io::copy(&mut entry, &mut out).map_err(|e| corrupt(e.to_string()))?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let executable = entry.header().mode().is_ok_and(|m| m & 0o111 != 0);
                let mode = if executable { 0o755 } else { 0o644 };
                let _ = out
                    .file()
                    .set_permissions(std::fs::Permissions::from_mode(mode));
            }
        } else {
            // Symlinks and hard links in sdists are rare and the classic tar traversal
            // vector; a build that needs one is not worth that risk.
            return Err(corrupt(format!(
                "the entry `{name}` is a link or special file, which verse does not unpack"
            )));
        }
    }
    Ok(())
}

/// `name` as a relative path made only of normal components, or `None` if it is absolute,
/// climbs with `..`, or holds a drive or backslash.
fn safe_relative(name: &str) -> Option<PathBuf> {
    if name.contains('\\') || name.contains('\0') {
        return None;
    }
    let mut out = PathBuf::new();
    for component in Path::new(name).components() {
        match component {
            Component::Normal(part) => {
                if part
                    .to_str()
                    .is_some_and(|p| p.len() >= 2 && p.as_bytes()[1] == b':')
                {
                    return None;
                }
                out.push(part);
            }
            Component::CurDir => {}
            _ => return None,
        }
    }
    (!out.as_os_str().is_empty()).then_some(out)
}

fn create_dir(path: &Path) -> Result<(), SdistError> {
    fs_err::create_dir_all(path).map_err(|source| io(path, source))
}

fn io(path: &Path, source: std::io::Error) -> SdistError {
    SdistError::Io {
        path: path.to_path_buf(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tar_gz(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::fast(),
        ));
        for (name, data) in entries {
            let mut header = tar::Header::new_gnu();
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            header.set_entry_type(tar::EntryType::Regular);
            // set_path refuses `..`; write the raw name so hostile archives can be made.
            let bytes = name.as_bytes();
            header.as_old_mut().name[..bytes.len()].copy_from_slice(bytes);
            header.set_cksum();
            builder.append(&header, *data).unwrap();
        }
        builder.into_inner().unwrap().finish().unwrap()
    }

    #[test]
    fn unpacks_and_finds_the_top_directory() {
        let dir = tempfile::tempdir().unwrap();
        let archive = dir.path().join("demo-1.0.tar.gz");
        std::fs::write(
            &archive,
            tar_gz(&[
                ("demo-1.0/pyproject.toml", b"[project]\n"),
                ("demo-1.0/demo/__init__.py", b"x = 1\n"),
            ]),
        )
        .unwrap();
        let dest = dir.path().join("out");
        std::fs::create_dir(&dest).unwrap();
        let root = unpack(&archive, "demo-1.0.tar.gz", &dest).unwrap();
        assert_eq!(root, dest.join("demo-1.0"));
        assert_eq!(
            std::fs::read(root.join("demo/__init__.py")).unwrap(),
            b"x = 1\n"
        );
    }

    #[test]
    fn refuses_entries_that_escape() {
        let dir = tempfile::tempdir().unwrap();
        let archive = dir.path().join("evil-1.0.tar.gz");
        std::fs::write(&archive, tar_gz(&[("../evil.txt", b"owned")])).unwrap();
        let dest = dir.path().join("out");
        std::fs::create_dir(&dest).unwrap();
        let error = unpack(&archive, "evil-1.0.tar.gz", &dest).unwrap_err();
        assert!(
            matches!(error, SdistError::Escapes { ref entry, .. } if entry == "../evil.txt"),
            "{error}"
        );
        assert!(!dir.path().join("evil.txt").exists());
    }

    #[test]
    fn safe_relative_rejects_every_escape() {
        for bad in ["/etc/passwd", "../x", "a/../../x", "C:/x", "a\\b", ""] {
            assert!(safe_relative(bad).is_none(), "{bad}");
        }
        assert_eq!(safe_relative("./a/b").unwrap(), PathBuf::from("a/b"));
    }
}
