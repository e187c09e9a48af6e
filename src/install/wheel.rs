//! Installing one wheel, the way pip's `_install_wheel` lays it out, with verse's stricter checks.
//!
//! Phases:
//! 1. **Plan** (nothing written yet): read the central directory, check every member name
//!    (`paths::member_components`), find the one `.dist-info` and check it against the filename,
//!    read WHEEL, RECORD and `entry_points.txt`, map each member to its destination
//!    (`Root-Is-Purelib` → purelib or platlib; `.data/<key>/` → the scheme directory; unknown key
//!    = error), and validate the launchers to generate. Any problem aborts here.
//! 2. **Files**: every non-dist-info member (root, then `.data` except scripts, then scripts, in
//!    archive order, pip's order, so the same file written twice ends with pip's winner), then the
//!    launchers. Each file is written atomically (`fsutil`).
//! 3. **Metadata**: the `.dist-info` is assembled in a hidden staging directory (its members,
//!    INSTALLER, REQUESTED, direct_url.json, RECORD last) and renamed into place, so metadata
//!    never claims a package whose files are not all there.
//!
//! Differences from pip, each deliberate:
//! * RECORD rows that name a file the wheel did not install are dropped (pip keeps them, e.g. the
//!   row of a skipped setuptools wrapper script): uninstall must only delete what the wheel put
//!   there (uv "heals" RECORD for the same reason, GHSA-pjjw-68hj-v9mw).
//! * Rewritten `#!python` scripts get the `/bin/sh` polyglot when the venv path needs it.
//! * A member or launcher that would replace the venv's `bin/python*` or `pyvenv.cfg` is refused.
//! * No bytecode is compiled (pip's `--no-compile`), so RECORD has no `.pyc` rows.
//! * Overlapping or oversize zip entries are refused (zip bombs); entry names must be unique.

use std::collections::HashMap;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::fsutil::{self, Mode};
use super::paths::{self, member_components};
use super::record::{self, Row};
use super::scripts::{self, Callable, EntryPoints};
use super::{InstallError, InstalledDistribution, WheelOptions};
use crate::packaging::{normalize, Version, WheelFilename};
use crate::venv::Venv;

/// Where a member goes, and in which phase it is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Root,
    Data,
    Script,
    DistInfo,
}

#[derive(Debug)]
struct Member {
    index: usize,
    /// The archive name: the key RECORD rows are matched on.
    name: String,
    dest: PathBuf,
    kind: Kind,
    executable: bool,
    size: u64,
}

struct Launcher {
    name: String,
    callable: Callable,
}

pub(crate) fn install(
    venv: &Venv,
    wheel: &Path,
    filename: &WheelFilename,
    options: &WheelOptions,
) -> Result<InstalledDistribution, InstallError> {
    let display = wheel
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| wheel.display().to_string());
    let invalid = |message: String| InstallError::InvalidWheel {
        filename: display.clone(),
        message,
    };
    let io_error = |source: io::Error| InstallError::Io {
        filename: display.clone(),
        source,
    };

    let file = fs_err::File::open(wheel).map_err(io_error)?;
    let archive_len = file.metadata().map_err(io_error)?.len();
    let mut archive =
        zip::ZipArchive::new(file).map_err(|e| invalid(format!("not a valid zip archive: {e}")))?;
    if archive.has_duplicate_names() {
        return Err(invalid("the archive names a file more than once".into()));
    }

    // Phase 1: plan.
    struct Entry {
        index: usize,
        name: String,
        executable: bool,
        size: u64,
    }
    let mut entries = Vec::new();
    let mut compressed_total: u64 = 0;
    for index in 0..archive.len() {
        let entry = archive
            .by_index_raw(index)
            .map_err(|e| invalid(format!("unreadable archive entry #{index}: {e}")))?;
        let name = entry
            .name()
            .map_err(|e| invalid(format!("archive entry #{index} has an invalid name: {e}")))?
            .into_owned();
        member_components(&name).map_err(&invalid)?;
        compressed_total = compressed_total.saturating_add(entry.compressed_size());
        if name.ends_with('/') {
            // pip creates directories only for the files in them; empty ones are skipped.
            continue;
        }
        // pip's `zip_item_is_executable`: a regular file (S_IFREG) with any x bit. Symlink
        // entries therefore become plain, non-executable files holding the link text.
        let mode = entry.external_attributes() >> 16;
        let executable = mode & 0o170000 == 0o100000 && mode & 0o111 != 0;
        entries.push(Entry {
            index,
            name,
            executable,
            size: entry.size(),
        });
    }
    if compressed_total > archive_len {
        return Err(invalid(
            "archive entries overlap (their compressed data exceeds the file size)".into(),
        ));
    }

    let dist_info =
        find_dist_info(entries.iter().map(|e| e.name.as_str()), filename).map_err(&invalid)?;
    let mut read_member = |name: &str| -> Result<Option<Vec<u8>>, InstallError> {
        let Some(entry) = entries.iter().find(|e| e.name == name) else {
            return Ok(None);
        };
        read_entry(&mut archive, entry.index, entry.size)
            .map(Some)
            .map_err(|e| invalid(format!("cannot read {name}: {e}")))
    };
    let wheel_text = read_member(&format!("{dist_info}/WHEEL"))?
        .ok_or_else(|| invalid(format!("{dist_info}/WHEEL is missing")))?;
    let root_is_purelib = parse_wheel_file(&String::from_utf8_lossy(&wheel_text))
        .map_err(|m| invalid(format!("{dist_info}/WHEEL: {m}")))?;
    let record_name = format!("{dist_info}/RECORD");
    let record_text =
        read_member(&record_name)?.ok_or_else(|| invalid(format!("{record_name} is missing")))?;
    let old_rows = record::parse(&String::from_utf8_lossy(&record_text)).map_err(&invalid)?;
    let entry_points = match read_member(&format!("{dist_info}/entry_points.txt"))? {
        Some(text) => {
            scripts::parse_entry_points(&String::from_utf8_lossy(&text)).map_err(&invalid)?
        }
        None => EntryPoints::default(),
    };

    let lib_dir = if root_is_purelib {
        &venv.purelib
    } else {
        &venv.platlib
    };
    let headers = venv.include.join(filename.name.as_ref());
    let mut members = Vec::new();
    for entry in &entries {
        let components = member_components(&entry.name).map_err(&invalid)?;
        let (dest, kind) = if components[0].ends_with(".data") {
            // pip treats any top-level `*.data` directory as the data directory.
            if components.len() < 3 {
                return Err(invalid(format!(
                    "unexpected file {}: .data contents must be named `<scheme key>/<path>`",
                    entry.name
                )));
            }
            let (dir, kind) = match components[1] {
                "purelib" => (&venv.purelib, Kind::Data),
                "platlib" => (&venv.platlib, Kind::Data),
                "headers" => (&headers, Kind::Data),
                "data" => (&venv.data, Kind::Data),
                "scripts" => (&venv.scripts, Kind::Script),
                other => {
                    return Err(invalid(format!(
                        "unknown scheme key `{other}` in {} (valid: data, headers, platlib, \
                         purelib, scripts)",
                        entry.name
                    )))
                }
            };
            (join(dir, &components[2..]), kind)
        } else if components[0] == dist_info {
            (join(lib_dir, &components), Kind::DistInfo)
        } else {
            (join(lib_dir, &components), Kind::Root)
        };
        if kind == Kind::Script && entry_points.is_wrapper(components[components.len() - 1]) {
            continue;
        }
        check_destination(venv, &dest).map_err(|m| invalid(format!("{}: {m}", entry.name)))?;
        members.push(Member {
            index: entry.index,
            name: entry.name.clone(),
            dest,
            kind,
            executable: entry.executable,
            size: entry.size,
        });
    }
    let launchers = plan_launchers(&entry_points, venv.python_version).map_err(&invalid)?;
    let python = venv
        .python
        .to_str()
        .ok_or_else(|| invalid("the venv path is not valid UTF-8".into()))?;

    // Phase 2: files, in pip's order.
    let mut installed: Vec<(String, String)> = Vec::new();
    let mut changed: HashMap<String, Row> = HashMap::new();
    let mut generated: Vec<Row> = Vec::new();
    for kind in [Kind::Root, Kind::Data, Kind::Script] {
        for member in members.iter().filter(|m| m.kind == kind) {
            let record_path = paths::record_path(&member.dest, lib_dir);
            let mode = if member.executable {
                Mode::EXECUTABLE
            } else {
                Mode::FILE
            };
            if kind == Kind::Script {
                let content = read_entry(&mut archive, member.index, member.size)
                    .map_err(|e| invalid(format!("cannot read {}: {e}", member.name)))?;
                let fixed = scripts::fix_shebang(&content, python);
                let content = fixed.as_deref().unwrap_or(&content);
                fsutil::write_bytes(&member.dest, mode, content).map_err(io_error)?;
                if fixed.is_some() {
                    changed.insert(
                        record_path.clone(),
                        Row::for_content(record_path.clone(), content),
                    );
                }
            } else {
                extract(&mut archive, member, mode).map_err(|e| match e {
                    Extract::Io(source) => io_error(source),
                    Extract::Archive(m) => invalid(format!("cannot read {}: {m}", member.name)),
                })?;
            }
            installed.push((member.name.clone(), record_path));
        }
    }
    for launcher in &launchers {
        let dest = venv.scripts.join(&launcher.name);
        let content = scripts::launcher(python, &launcher.callable, venv.python_version);
        fsutil::write_bytes(&dest, Mode::LAUNCHER, content.as_bytes()).map_err(io_error)?;
        generated.push(Row::for_content(
            paths::record_path(&dest, lib_dir),
            content.as_bytes(),
        ));
    }

    // Phase 3: the .dist-info, staged and renamed into place.
    let final_dir = lib_dir.join(&dist_info);
    let stage = fsutil::temp_path_for(&final_dir);
    let staged =
        |dest: &Path| -> PathBuf { stage.join(dest.strip_prefix(&final_dir).unwrap_or(dest)) };
    let result = (|| -> Result<(), InstallError> {
        fs_err::create_dir_all(&stage).map_err(io_error)?;
        for member in members.iter().filter(|m| m.kind == Kind::DistInfo) {
            if member.name == record_name {
                continue;
            }
            let mode = if member.executable {
                Mode::EXECUTABLE
            } else {
                Mode::FILE
            };
            let target = Member {
                dest: staged(&member.dest),
                name: member.name.clone(),
                ..*member
            };
            extract(&mut archive, &target, mode).map_err(|e| match e {
                Extract::Io(source) => io_error(source),
                Extract::Archive(m) => invalid(format!("cannot read {}: {m}", member.name)),
            })?;
            installed.push((
                member.name.clone(),
                paths::record_path(&member.dest, lib_dir),
            ));
        }
        let mut generate = |name: &str, content: &[u8]| -> Result<(), InstallError> {
            let dest = final_dir.join(name);
            fsutil::write_bytes(&staged(&dest), Mode::FILE, content).map_err(io_error)?;
            generated.push(Row::for_content(
                paths::record_path(&dest, lib_dir),
                content,
            ));
            Ok(())
        };
        generate("INSTALLER", b"verse\n")?;
        if let Some(direct_url) = &options.direct_url {
            generate("direct_url.json", direct_url.as_bytes())?;
        }
        if options.requested {
            generate("REQUESTED", b"")?;
        }
        let record_path = paths::record_path(&final_dir.join("RECORD"), lib_dir);
        let rows = record_rows(&old_rows, installed, &changed, generated, &record_path);
        fsutil::write_bytes(
            &stage.join("RECORD"),
            Mode::FILE,
            record::write(&rows).as_bytes(),
        )
        .map_err(io_error)?;
        // A reinstall of the same version replaces the old directory.
        match fs_err::remove_dir_all(&final_dir) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_error(e)),
        }
        fs_err::rename(&stage, &final_dir).map_err(io_error)
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&stage);
    }
    result?;
    Ok(InstalledDistribution {
        name: filename.name.clone(),
        version: filename.version.clone(),
        dist_info: final_dir,
    })
}

fn join(base: &Path, components: &[&str]) -> PathBuf {
    let mut path = base.to_path_buf();
    path.extend(components);
    path
}

/// Finds the wheel's single `<name>-<version>.dist-info` and checks it names the same
/// distribution and version as the filename.
fn find_dist_info<'a>(
    names: impl Iterator<Item = &'a str>,
    filename: &WheelFilename,
) -> Result<String, String> {
    let mut dirs: Vec<&str> = names
        .filter_map(|n| n.split_once('/').map(|(first, _)| first))
        .filter(|first| first.ends_with(".dist-info"))
        .collect();
    dirs.sort_unstable();
    dirs.dedup();
    let dir = match dirs.as_slice() {
        [one] => *one,
        [] => return Err("the wheel has no .dist-info directory".into()),
        _ => {
            return Err(format!(
                "the wheel has several .dist-info directories: {}",
                dirs.join(", ")
            ))
        }
    };
    let stem = dir.trim_end_matches(".dist-info");
    let (name, version) = stem
        .rsplit_once('-')
        .ok_or_else(|| format!("{dir} is not named `<name>-<version>.dist-info`"))?;
    let matches_version = version
        .parse::<Version>()
        .is_ok_and(|v| v == filename.version);
    if normalize(name) != filename.name.as_ref() || !matches_version {
        return Err(format!(
            "{dir} does not match the filename's {} {}",
            filename.name, filename.version
        ));
    }
    Ok(dir.to_string())
}

/// Reads WHEEL (email-header format): checks `Wheel-Version` (major 1; pip and uv refuse a
/// newer major) and returns whether `Root-Is-Purelib` is `true` (case-insensitive, as pip).
fn parse_wheel_file(text: &str) -> Result<bool, String> {
    let header = |key: &str| {
        text.lines()
            .take_while(|l| !l.trim().is_empty())
            .filter_map(|l| l.split_once(':'))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case(key))
            .map(|(_, v)| v.trim())
    };
    let version = header("Wheel-Version").ok_or("no Wheel-Version")?;
    let major = version
        .split('.')
        .next()
        .and_then(|m| m.parse::<u64>().ok())
        .ok_or_else(|| format!("invalid Wheel-Version `{version}`"))?;
    if major != 1 {
        return Err(format!("Wheel-Version {version} is not supported (1.x is)"));
    }
    Ok(header("Root-Is-Purelib").is_some_and(|v| v.eq_ignore_ascii_case("true")))
}

/// Refuses destinations outside the venv, or ones that would replace the venv itself.
fn check_destination(venv: &Venv, dest: &Path) -> Result<(), String> {
    if !dest.starts_with(&venv.root) {
        return Err(format!(
            "would be installed outside the venv, at {}",
            dest.display()
        ));
    }
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    if dest.parent() == Some(&venv.scripts) && scripts::is_interpreter_name(&name) {
        return Err(format!(
            "would replace the venv's interpreter {}",
            dest.display()
        ));
    }
    if dest == venv.root.join("pyvenv.cfg") {
        return Err("would replace the venv's pyvenv.cfg".into());
    }
    Ok(())
}

fn plan_launchers(
    entry_points: &EntryPoints,
    python_version: (u64, u64),
) -> Result<Vec<Launcher>, String> {
    let console = scripts::console_scripts_for(&entry_points.console, python_version);
    let mut launchers = Vec::new();
    for (name, value) in console.iter().chain(&entry_points.gui) {
        scripts::check_script_name(name).map_err(|m| format!("entry point: {m}"))?;
        let callable =
            scripts::parse_callable(value).map_err(|m| format!("entry point `{name}`: {m}"))?;
        launchers.push(Launcher {
            name: name.clone(),
            callable,
        });
    }
    Ok(launchers)
}

/// pip's `get_csv_rows_for_installed`, plus the dropping of rows for files not installed.
fn record_rows(
    old_rows: &[Vec<String>],
    installed: Vec<(String, String)>,
    changed: &HashMap<String, Row>,
    generated: Vec<Row>,
    record_path: &str,
) -> Vec<Row> {
    let mut installed: Vec<(String, Option<String>)> = installed
        .into_iter()
        .map(|(src, dest)| (src, Some(dest)))
        .collect();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (i, (src, _)) in installed.iter().enumerate() {
        index.insert(src.clone(), i);
    }
    let mut rows = Vec::new();
    for old in old_rows {
        let Some(path) = old.first() else { continue };
        if path == record_path {
            continue;
        }
        let Some(new_path) = index.get(path).and_then(|&i| installed[i].1.take()) else {
            continue;
        };
        if let Some(row) = changed.get(&new_path) {
            rows.push(row.clone());
        } else {
            rows.push(Row {
                path: new_path,
                hash: old.get(1).cloned().unwrap_or_default(),
                size: old.get(2).cloned().unwrap_or_default(),
            });
        }
    }
    rows.extend(generated);
    for (_, dest) in installed {
        if let Some(dest) = dest {
            let row = changed.get(&dest).cloned().unwrap_or(Row {
                path: dest,
                hash: String::new(),
                size: String::new(),
            });
            rows.push(row);
        }
    }
    rows.push(Row {
        path: record_path.to_string(),
        hash: String::new(),
        size: String::new(),
    });
    rows.sort();
    rows
}

enum Extract {
    Io(io::Error),
    Archive(String),
}

/// Reads a whole member into memory (small files: metadata, scripts).
fn read_entry(
    archive: &mut zip::ZipArchive<fs_err::File>,
    index: usize,
    size: u64,
) -> Result<Vec<u8>, String> {
    let entry = archive.by_index(index).map_err(|e| e.to_string())?;
    let mut out = Vec::with_capacity(usize::try_from(size.min(1 << 20)).unwrap_or(0));
    bounded(entry, size)
        .read_to_end(&mut out)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

/// Streams a member to its destination. Reading to the end makes the zip crate check the CRC.
fn extract(
    archive: &mut zip::ZipArchive<fs_err::File>,
    member: &Member,
    mode: Mode,
) -> Result<(), Extract> {
    let entry = archive
        .by_index(member.index)
        .map_err(|e| Extract::Archive(e.to_string()))?;
    let mut reader = bounded(entry, member.size);
    let mut archive_error = None;
    let result = fsutil::write_atomic(&member.dest, mode, |file| {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    archive_error = Some(e.to_string());
                    return Err(io::Error::other("archive read failed"));
                }
            };
            io::Write::write_all(file, &buf[..n])?;
        }
    });
    match (result, archive_error) {
        (_, Some(message)) => Err(Extract::Archive(message)),
        (Err(e), None) => Err(Extract::Io(e)),
        (Ok(()), None) => Ok(()),
    }
}

/// A reader that fails if the member decompresses to more than its declared size: the bound
/// on what a crafted archive can make verse write.
fn bounded(reader: impl Read, size: u64) -> impl Read {
    struct Bounded<R> {
        inner: R,
        left: u64,
    }
    impl<R: Read> Read for Bounded<R> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.inner.read(buf)?;
            if n as u64 > self.left {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "member is larger than its declared size",
                ));
            }
            self.left -= n as u64;
            Ok(n)
        }
    }
    Bounded {
        inner: reader,
        left: size,
    }
}
