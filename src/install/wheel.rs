//! Installing one wheel, the way pip's `_install_wheel` lays it out, with verse's stricter checks.
//!
//! Phases:
//! 1. **Plan** (nothing written yet): the archive's structure is checked when it is opened
//!    (`archive.rs`: local headers, hidden data, duplicates, symlinks, size limits), every
//!    member name (`paths::member_components`); find the one `.dist-info` and check it against
//!    the filename, read RECORD (every member must be listed in it with a strong hash, every
//!    row must name a member), WHEEL and `entry_points.txt`, map each member to its destination
//!    (`Root-Is-Purelib` → purelib or platlib; `.data/<key>/` → the scheme directory; unknown key
//!    = error), and validate the launchers to generate. Any problem aborts here.
//! 2. **Files**: every non-dist-info member (root, then `.data` except scripts, then scripts, in
//!    archive order, pip's order, so the same file written twice ends with pip's winner; files
//!    replacing one already there after all new ones), then the launchers. Each file is written atomically (`fsutil`), its bytes hashed on the way and
//!    compared with RECORD before it is renamed into place.
//! 3. **Metadata**: the `.dist-info` is assembled in a hidden staging directory (its members,
//!    INSTALLER, REQUESTED, direct_url.json, RECORD last) and renamed into place, so metadata
//!    never claims a package whose files are not all there.
//!
//! If phase 2 or 3 fails (a member failing its CRC or its RECORD hash, a full disk), the files
//! this install created are removed again (`roll_back`), so no file is left that no RECORD
//! claims. Through the unpacked cache (`unpacked.rs`) the RECORD check happens while the tree is
//! made, before anything reaches the venv.
//!
//! Differences from pip, each deliberate:
//! * RECORD rows that name a file the wheel did not install are dropped (pip keeps them, e.g. the
//!   row of a skipped setuptools wrapper script): uninstall must only delete what the wheel put
//!   there (uv "heals" RECORD for the same reason, GHSA-pjjw-68hj-v9mw).
//! * Rewritten `#!python` scripts get the `/bin/sh` polyglot when the venv path needs it.
//! * A member or launcher that would replace the venv's `bin/python*` or `pyvenv.cfg` is refused.
//! * No bytecode is compiled (pip's `--no-compile`), so RECORD has no `.pyc` rows.
//! * Hostile archives are refused (`archive.rs`): symlink entries (pip writes them as plain
//!   files), local headers that disagree with the central directory, duplicate names (also in
//!   another case), data before, between or after the entries, decompression bombs.
//! * Every member must be listed in RECORD and match its hash and size; pip, uv and
//!   `installer` do not check (pip keeps an unlisted file with an empty RECORD row).
//! * A failed install takes back the files it created (pip leaves them).

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};

use super::archive::{self, Digests, Expected};
pub(super) use super::archive::{bounded, extract, open, Archive, Entry, Extract};
use super::fsutil::{self, Mode};
use super::member::Scratch;
use super::paths::{self, member_components};
use super::record::{self, Row};
use super::scripts::{self, Callable, EntryPoints};
use super::uninstall;
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
    /// Something was at `dest` when the install was planned (a file of another package):
    /// such members are checked against RECORD in phase 1 and written last, see `plan`.
    replaces: bool,
}

impl Member {
    /// pip's mode for an extracted file: with the x bits if the archive had any.
    pub(super) fn mode(&self) -> Mode {
        if self.executable {
            Mode::EXECUTABLE
        } else {
            Mode::FILE
        }
    }
}

struct Launcher {
    name: String,
    callable: Callable,
}

/// Where the members' bytes come from: the wheel itself, or its unpacked tree in the cache.
///
/// `expected` is the member's RECORD hash: the archive checks the bytes against it as they
/// are read or written; an unpacked tree was checked when it was made and ignores it.
pub(super) trait Source {
    /// A whole member (small files: metadata, scripts), bounded by its declared size.
    fn read(
        &mut self,
        index: usize,
        name: &str,
        size: u64,
        expected: Option<&Expected>,
    ) -> Result<Vec<u8>, Extract>;
    /// Checks a member against `expected` without writing it.
    fn verify(
        &mut self,
        index: usize,
        name: &str,
        size: u64,
        expected: Option<&Expected>,
    ) -> Result<(), Extract>;
    /// Puts a member at `dest` (atomically, with the member's mode); true if nothing was
    /// at `dest` before.
    #[allow(clippy::too_many_arguments)]
    fn place(
        &mut self,
        index: usize,
        name: &str,
        mode: Mode,
        size: u64,
        expected: Option<&Expected>,
        dest: &Path,
    ) -> Result<bool, Extract>;
}

/// An open archive as the source of a sequential install, with its one thread's buffers.
pub(super) struct Reader<'a> {
    archive: &'a Archive,
    scratch: Scratch,
}

impl Reader<'_> {
    pub(super) fn new(archive: &Archive) -> Reader<'_> {
        Reader {
            archive,
            scratch: Scratch::new(),
        }
    }
}

impl Source for Reader<'_> {
    fn read(
        &mut self,
        index: usize,
        name: &str,
        size: u64,
        expected: Option<&Expected>,
    ) -> Result<Vec<u8>, Extract> {
        archive::read_entry(self.archive, &mut self.scratch, index, name, size, expected)
    }

    fn verify(
        &mut self,
        index: usize,
        name: &str,
        size: u64,
        expected: Option<&Expected>,
    ) -> Result<(), Extract> {
        archive::verify(self.archive, &mut self.scratch, index, name, size, expected)
    }

    fn place(
        &mut self,
        index: usize,
        name: &str,
        mode: Mode,
        size: u64,
        expected: Option<&Expected>,
        dest: &Path,
    ) -> Result<bool, Extract> {
        let new = fs_err::symlink_metadata(dest).is_err();
        extract(
            self.archive,
            &mut self.scratch,
            index,
            name,
            size,
            mode,
            expected,
            dest,
            archive::Write::Atomic,
        )
        .map(|()| new)
    }
}

/// Everything decided before the first write.
struct Plan {
    /// `<name>-<version>.dist-info`.
    dist_info: String,
    /// Where the archive root goes: purelib or platlib.
    lib_dir: PathBuf,
    /// The wheel's own RECORD rows, re-pointed at the installed paths at the end.
    old_rows: Vec<Vec<String>>,
    /// RECORD's hash of each member, checked as it is written.
    digests: Digests,
    members: Vec<Member>,
    launchers: Vec<Launcher>,
}

/// What phase 2 wrote, for RECORD: (archive name, RECORD path) of every member written,
/// the rows of files changed on the way (rewritten shebangs), and the generated files' rows.
#[derive(Default)]
struct Written {
    installed: Vec<(String, String)>,
    changed: HashMap<String, Row>,
    generated: Vec<Row>,
}

/// Builds this install's errors, all naming the wheel file.
pub(super) struct Errors {
    filename: String,
}

impl Errors {
    pub(super) fn invalid(&self, message: impl Into<String>) -> InstallError {
        InstallError::InvalidWheel {
            filename: self.filename.clone(),
            message: message.into(),
        }
    }

    pub(super) fn io(&self, source: io::Error) -> InstallError {
        InstallError::Io {
            filename: self.filename.clone(),
            source,
        }
    }

    pub(super) fn extract(&self, member: &str, error: Extract) -> InstallError {
        match error {
            Extract::Io(source) => self.io(source),
            Extract::Archive(m) => self.invalid(format!("cannot read {member}: {m}")),
            Extract::Invalid(m) => self.invalid(m),
        }
    }
}

pub(crate) fn install(
    venv: &Venv,
    wheel: &Path,
    filename: &WheelFilename,
    options: &WheelOptions,
) -> Result<InstalledDistribution, InstallError> {
    let errors = errors_for(filename);
    let python = venv_python(venv, &errors)?;
    let (archive, entries) = open(wheel, &errors)?;
    install_from(
        venv,
        &mut Reader::new(&archive),
        &entries,
        filename,
        options,
        python,
        &errors,
    )
}

/// The errors of installing `wheel`, named by its wheel file name (the cache stores wheels
/// under their digest, which would tell the user nothing).
pub(super) fn errors_for(filename: &WheelFilename) -> Errors {
    Errors {
        filename: filename.to_string(),
    }
}

/// RECORD's hashes for the members of an opened wheel (for unpacking it whole).
pub(super) fn record_digests(
    archive: &Archive,
    entries: &[Entry],
    filename: &WheelFilename,
    errors: &Errors,
) -> Result<Digests, InstallError> {
    let dist_info = find_dist_info(entries.iter().map(|e| e.name.as_str()), filename)
        .map_err(|m| errors.invalid(m))?;
    let record_name = format!("{dist_info}/RECORD");
    let record = read_member(
        &mut Reader::new(archive),
        entries,
        &record_name,
        None,
        errors,
    )?
    .ok_or_else(|| errors.invalid(format!("{record_name} is missing")))?;
    let rows = record::parse(&String::from_utf8_lossy(&record)).map_err(|m| errors.invalid(m))?;
    Digests::from_record(&rows, entries, &dist_info).map_err(|m| errors.invalid(m))
}

/// Installs from `source`, whose regular files are `entries` in archive order.
pub(super) fn install_from(
    venv: &Venv,
    source: &mut dyn Source,
    entries: &[Entry],
    filename: &WheelFilename,
    options: &WheelOptions,
    python: &str,
    errors: &Errors,
) -> Result<InstalledDistribution, InstallError> {
    let plan = plan(venv, source, entries, filename, errors)?;
    let mut created = Vec::new();
    let dist_info = write_files(venv, source, &plan, python, errors, &mut created)
        .and_then(|written| write_dist_info(source, &plan, written, options, errors));
    let dist_info = match dist_info {
        Ok(dist_info) => dist_info,
        Err(error) => {
            roll_back(venv, &created);
            return Err(error);
        }
    };
    Ok(InstalledDistribution {
        name: filename.name.clone(),
        version: filename.version.clone(),
        dist_info,
    })
}

/// The venv's interpreter, as written into shebangs and launchers.
pub(super) fn venv_python<'v>(venv: &'v Venv, errors: &Errors) -> Result<&'v str, InstallError> {
    venv.python
        .to_str()
        .ok_or_else(|| errors.invalid("the venv path is not valid UTF-8"))
}

/// Phase 1b: the metadata, every destination and every launcher, checked.
fn plan(
    venv: &Venv,
    source: &mut dyn Source,
    entries: &[Entry],
    filename: &WheelFilename,
    errors: &Errors,
) -> Result<Plan, InstallError> {
    let dist_info = find_dist_info(entries.iter().map(|e| e.name.as_str()), filename)
        .map_err(|m| errors.invalid(m))?;
    // RECORD first (it cannot hold its own hash), then every other member read or written is
    // checked against it.
    let record_name = format!("{dist_info}/RECORD");
    let record_text = read_member(source, entries, &record_name, None, errors)?
        .ok_or_else(|| errors.invalid(format!("{record_name} is missing")))?;
    let old_rows =
        record::parse(&String::from_utf8_lossy(&record_text)).map_err(|m| errors.invalid(m))?;
    let digests =
        Digests::from_record(&old_rows, entries, &dist_info).map_err(|m| errors.invalid(m))?;
    let mut read_text = |name: &str| {
        read_member(source, entries, name, digests.get(name), errors)
            .map(|text| text.map(|t| String::from_utf8_lossy(&t).into_owned()))
    };
    let wheel_text = read_text(&format!("{dist_info}/WHEEL"))?
        .ok_or_else(|| errors.invalid(format!("{dist_info}/WHEEL is missing")))?;
    let root_is_purelib = parse_wheel_file(&wheel_text)
        .map_err(|m| errors.invalid(format!("{dist_info}/WHEEL: {m}")))?;
    let entry_points = match read_text(&format!("{dist_info}/entry_points.txt"))? {
        Some(text) => scripts::parse_entry_points(&text).map_err(|m| errors.invalid(m))?,
        None => EntryPoints::default(),
    };

    let lib_dir = if root_is_purelib {
        venv.purelib.clone()
    } else {
        venv.platlib.clone()
    };
    let headers = venv.include.join(filename.name.as_ref());
    let mut members = Vec::new();
    for entry in entries {
        let components = member_components(&entry.name).map_err(|m| errors.invalid(m))?;
        let (dest, kind) = if components[0].ends_with(".data") {
            // pip treats any top-level `*.data` directory as the data directory.
            if components.len() < 3 {
                return Err(errors.invalid(format!(
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
                    return Err(errors.invalid(format!(
                        "unknown scheme key `{other}` in {} (valid: data, headers, platlib, \
                         purelib, scripts)",
                        entry.name
                    )))
                }
            };
            (join(dir, &components[2..]), kind)
        } else if components[0] == dist_info {
            (join(&lib_dir, &components), Kind::DistInfo)
        } else {
            (join(&lib_dir, &components), Kind::Root)
        };
        if kind == Kind::Script && entry_points.is_wrapper(components[components.len() - 1]) {
            // Not installed, but still checked: the wheel is accepted whole or not at all.
            read_member(
                source,
                entries,
                &entry.name,
                digests.get(&entry.name),
                errors,
            )?;
            continue;
        }
        check_destination(venv, &dest)
            .map_err(|m| errors.invalid(format!("{}: {m}", entry.name)))?;
        // A file that would replace one already there (a namespace `__init__.py` another
        // package ships too) is checked now, and written after every new file: a mismatch
        // found while writing then finds only files this install created, which it can take
        // back, and no other package's file replaced.
        let replaces = kind != Kind::DistInfo && fs_err::symlink_metadata(&dest).is_ok();
        if replaces {
            source
                .verify(
                    entry.index,
                    &entry.name,
                    entry.size,
                    digests.get(&entry.name),
                )
                .map_err(|e| errors.extract(&entry.name, e))?;
        }
        members.push(Member {
            index: entry.index,
            name: entry.name.clone(),
            dest,
            kind,
            executable: entry.executable,
            size: entry.size,
            replaces,
        });
    }
    let launchers =
        plan_launchers(&entry_points, venv.python_version).map_err(|m| errors.invalid(m))?;
    Ok(Plan {
        dist_info,
        lib_dir,
        old_rows,
        digests,
        members,
        launchers,
    })
}

/// Reads the member `name` whole, checked against `expected`; `None` if the wheel has none.
fn read_member(
    source: &mut dyn Source,
    entries: &[Entry],
    name: &str,
    expected: Option<&Expected>,
    errors: &Errors,
) -> Result<Option<Vec<u8>>, InstallError> {
    let Some(entry) = entries.iter().find(|e| e.name == name) else {
        return Ok(None);
    };
    source
        .read(entry.index, &entry.name, entry.size, expected)
        .map(Some)
        .map_err(|e| errors.extract(name, e))
}

/// Phase 2: every file outside the `.dist-info`, in pip's order, then the launchers. Each
/// file that did not exist before is noted in `created` with the identity of what was
/// written, so a failure can take back what this wheel added (see [`roll_back`]).
fn write_files(
    venv: &Venv,
    source: &mut dyn Source,
    plan: &Plan,
    python: &str,
    errors: &Errors,
    created: &mut Vec<Created>,
) -> Result<Written, InstallError> {
    let mut written = Written::default();
    // New files first, then those replacing a file (checked in phase 1). Both groups keep
    // pip's order, and two members with one destination fall in the same group.
    let order = [false, true]
        .into_iter()
        .flat_map(|replaces| [Kind::Root, Kind::Data, Kind::Script].map(|kind| (replaces, kind)));
    for (replaces, kind) in order {
        let members = plan.members.iter();
        for member in members.filter(|m| m.kind == kind && m.replaces == replaces) {
            let record_path = paths::record_path(&member.dest, &plan.lib_dir);
            let new = if kind == Kind::Script {
                let new = fs_err::symlink_metadata(&member.dest).is_err();
                let content = source
                    .read(
                        member.index,
                        &member.name,
                        member.size,
                        plan.digests.get(&member.name),
                    )
                    .map_err(|e| errors.extract(&member.name, e))?;
                let fixed = scripts::fix_shebang(&content, python);
                let content = fixed.as_deref().unwrap_or(&content);
                fsutil::write_bytes(&member.dest, member.mode(), content)
                    .map_err(|e| errors.io(e))?;
                if fixed.is_some() {
                    let row = Row::for_content(record_path.clone(), content);
                    written.changed.insert(record_path.clone(), row);
                }
                new
            } else {
                source
                    .place(
                        member.index,
                        &member.name,
                        member.mode(),
                        member.size,
                        plan.digests.get(&member.name),
                        &member.dest,
                    )
                    .map_err(|e| errors.extract(&member.name, e))?
            };
            if new {
                created.push(Created::now(&member.dest));
            }
            written.installed.push((member.name.clone(), record_path));
        }
    }
    for launcher in &plan.launchers {
        let dest = venv.scripts.join(&launcher.name);
        let new = fs_err::symlink_metadata(&dest).is_err();
        let content = scripts::launcher(python, &launcher.callable, venv.python_version);
        fsutil::write_bytes(&dest, Mode::LAUNCHER, content.as_bytes()).map_err(|e| errors.io(e))?;
        if new {
            created.push(Created::now(&dest));
        }
        let record_path = paths::record_path(&dest, &plan.lib_dir);
        written
            .generated
            .push(Row::for_content(record_path, content.as_bytes()));
    }
    Ok(written)
}

/// A file this install created: its path and the identity (device, inode) of what it wrote.
struct Created {
    path: PathBuf,
    id: Option<(u64, u64)>,
}

impl Created {
    fn now(path: &Path) -> Created {
        Created {
            path: path.to_path_buf(),
            id: file_id(path),
        }
    }
}

#[cfg(unix)]
fn file_id(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::symlink_metadata(path)
        .ok()
        .map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn file_id(_path: &Path) -> Option<(u64, u64)> {
    None
}

/// After a failed install: removes the files this wheel created and the directories left
/// empty, so no file stays behind that no RECORD claims (nothing could ever remove it, and it
/// could shadow the version installed later). Files that existed before stay, and so does a
/// file another wheel installing in parallel has since replaced (its identity changed): both
/// may belong to another package, like a shared namespace `__init__.py`. Best effort: the
/// install error is what the user needs to see.
fn roll_back(venv: &Venv, created: &[Created]) {
    let mut parents = Vec::new();
    for file in created {
        if file.id.is_none() || file_id(&file.path) != file.id {
            continue;
        }
        if std::fs::remove_file(&file.path).is_ok() {
            if let Some(parent) = file.path.parent() {
                parents.push(parent.to_path_buf());
            }
        }
    }
    uninstall::prune_empty_dirs(venv, parents);
}

/// Phase 3: the `.dist-info`, assembled in a hidden staging directory (its members,
/// INSTALLER, direct_url.json, REQUESTED, then RECORD) and renamed into place.
fn write_dist_info(
    source: &mut dyn Source,
    plan: &Plan,
    mut written: Written,
    options: &WheelOptions,
    errors: &Errors,
) -> Result<PathBuf, InstallError> {
    let final_dir = plan.lib_dir.join(&plan.dist_info);
    let stage = fsutil::temp_path_for(&final_dir);
    let staged = |dest: &Path| stage.join(dest.strip_prefix(&final_dir).unwrap_or(dest));
    let record_name = format!("{}/RECORD", plan.dist_info);
    let result = (|| -> Result<(), InstallError> {
        fs_err::create_dir_all(&stage).map_err(|e| errors.io(e))?;
        for member in plan.members.iter().filter(|m| m.kind == Kind::DistInfo) {
            if member.name == record_name {
                continue;
            }
            source
                .place(
                    member.index,
                    &member.name,
                    member.mode(),
                    member.size,
                    plan.digests.get(&member.name),
                    &staged(&member.dest),
                )
                .map_err(|e| errors.extract(&member.name, e))?;
            let record_path = paths::record_path(&member.dest, &plan.lib_dir);
            written.installed.push((member.name.clone(), record_path));
        }
        let mut generate = |name: &str, content: &[u8]| -> Result<(), InstallError> {
            let dest = final_dir.join(name);
            fsutil::write_bytes(&staged(&dest), Mode::FILE, content).map_err(|e| errors.io(e))?;
            let record_path = paths::record_path(&dest, &plan.lib_dir);
            written
                .generated
                .push(Row::for_content(record_path, content));
            Ok(())
        };
        generate("INSTALLER", b"verse\n")?;
        if let Some(direct_url) = &options.direct_url {
            generate("direct_url.json", direct_url.as_bytes())?;
        }
        if options.requested {
            generate("REQUESTED", b"")?;
        }
        let record_path = paths::record_path(&final_dir.join("RECORD"), &plan.lib_dir);
        let rows = record_rows(&plan.old_rows, written, &record_path);
        fsutil::write_bytes(
            &stage.join("RECORD"),
            Mode::FILE,
            record::write(&rows).as_bytes(),
        )
        .map_err(|e| errors.io(e))?;
        // A reinstall of the same version replaces the old directory.
        match fs_err::remove_dir_all(&final_dir) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(errors.io(e)),
        }
        fs_err::rename(&stage, &final_dir).map_err(|e| errors.io(e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&stage);
    }
    result.map(|()| final_dir)
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
    match paths::venv_own_file(venv, dest) {
        Some(what) => Err(format!("would replace {what} {}", dest.display())),
        None => Ok(()),
    }
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
fn record_rows(old_rows: &[Vec<String>], written: Written, record_path: &str) -> Vec<Row> {
    let Written {
        installed,
        changed,
        generated,
    } = written;
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
