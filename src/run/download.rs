//! `verse download`: fill a folder with every file the lock needs for some targets, verified
//! against the lock, plus a static simple index over it, so the folder can be carried across
//! an air gap and installed from with `--offline --find-links DIR` or `--index-url
//! file:///DIR/simple`.
//!
//! Selection is `install`'s own plan, run once per target (probed `python3` when no target
//! flag is given, else the targets of `--python-version`/`--platform`/...); `--all-platforms`
//! takes every wheel of every locked package instead. Files already in the folder that match
//! the lock are kept (the command resumes); everything else is fetched through the cache like
//! an install (same locate, same verification). What is left out is said, with the reason.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::cli::DownloadArgs;
use crate::error::Error;
use crate::locate::project_of;
use crate::locate::static_index::{self, IndexedFile};
use crate::lock::{self, content_hash, Lock, PackageSource};
use crate::packaging::hash::Hasher;
use crate::packaging::{FileHash, HashAlgorithm, Tags, WheelFilename};
use crate::plan::{self, Artifact, Direct, PlannedPackage, Policy, Selection};
use crate::report::{count, format_bytes, format_duration, Printer};
use crate::target::{self, flags, Target};

use super::install::{
    absolute, fetch_packages, lock_error, open_cache_at, selection_of, source_options,
};

/// One file to have in the folder, and why.
struct Wanted {
    package: PlannedPackage,
    file: String,
    hash: FileHash,
}

pub fn download_command(args: &DownloadArgs, printer: &Printer) -> Result<(), Error> {
    let started = Instant::now();
    let project_dir = absolute(&args.input.project);
    let dest = absolute(&args.dest);

    let (project, lock) = lock::read(&project_dir).map_err(lock_error)?;
    if !content_hash::is_fresh(&project, &lock) {
        let message = format!(
            "poetry.lock is out of date: pyproject.toml changed since the lock was written (in {})",
            project_dir.display()
        );
        if args.input.allow_stale_lock {
            printer.warn(format!(
                "{message}; downloading anyway (--allow-stale-lock)"
            ));
        } else {
            return Err(Error::input(message).with_hint(
                "run `poetry lock` to update it, or pass --allow-stale-lock to download the lock as it is",
            ));
        }
    }

    let mut skipped_lines = Vec::new();
    let (wanted, builds, targets) = if args.all_platforms {
        (
            every_wheel(&lock, &mut skipped_lines),
            Vec::new(),
            Vec::new(),
        )
    } else {
        planned_files(args, printer, &project, &lock, &mut skipped_lines)?
    };
    for line in &skipped_lines {
        printer.info(format!("skipped: {line}"));
    }

    fs_err::create_dir_all(&dest).map_err(|e| {
        Error::failure(format!("cannot create {}", dest.display()))
            .with_source(e)
            .with_hint("pass --dest with a writable directory")
    })?;

    // Resume: a file already in the folder is kept if it matches the lock.
    let mut present = 0usize;
    let mut known: BTreeMap<String, String> = BTreeMap::new();
    let mut present_files = std::collections::BTreeSet::new();
    let mut to_fetch = Vec::new();
    for item in &wanted {
        let path = dest.join(&item.file);
        if path.is_file() {
            match hash_file(&path, item.hash.algorithm) {
                Ok(actual) if actual == item.hash => {
                    present += 1;
                    present_files.insert(item.file.clone());
                    printer.detail(format!("{}: already present, verified", item.file));
                    if item.hash.algorithm == HashAlgorithm::Sha256 {
                        known.insert(item.file.clone(), item.hash.hex.clone());
                    }
                    continue;
                }
                Ok(_) => printer.warn(format!(
                    "{} is in {} but does not match the lock: fetching it again",
                    item.file,
                    dest.display()
                )),
                Err(_) => {}
            }
        }
        to_fetch.push(item);
    }

    let mut fetched_bytes = 0u64;
    // One cache for the downloads and the build requirements (with --no-cache, one
    // temporary directory that lives until both are done).
    let needs_cache = !to_fetch.is_empty() || !builds.is_empty() || args.no_editable;
    let cache = if needs_cache {
        Some(open_cache_at(
            args.fetch.no_cache,
            args.fetch.cache_dir.as_deref(),
        )?)
    } else {
        None
    };
    if let (false, Some(cache)) = (to_fetch.is_empty(), &cache) {
        let packages: Vec<PlannedPackage> = to_fetch.iter().map(|w| w.package.clone()).collect();
        let fetched = fetch_packages(
            printer,
            cache,
            &source_options(&args.sources),
            &project.sources,
            // Every wanted file is named by the lock, so no tag choice happens here.
            &Tags::default(),
            &packages,
            args.fetch.concurrent_downloads,
        )?;
        for (item, wheel) in to_fetch.iter().zip(&fetched) {
            place(wheel.path(), &dest.join(&item.file)).map_err(|e| {
                Error::failure(format!(
                    "cannot write {} into {}",
                    item.file,
                    dest.display()
                ))
                .with_source(e)
            })?;
            fetched_bytes += wheel.size();
            if item.hash.algorithm == HashAlgorithm::Sha256 {
                known.insert(item.file.clone(), item.hash.hex.clone());
            }
        }
    }
    let build_files = match &cache {
        Some(cache) => {
            build_requirements(args, printer, &project, &dest, cache, &builds, &targets)?
        }
        None => Vec::new(),
    };
    drop(cache);

    let indexed = index_folder(&dest, &known).map_err(|e| {
        Error::failure(format!(
            "cannot write the index in {}",
            dest.join("simple").display()
        ))
        .with_source(e)
    })?;
    let projects = static_index::write(&dest, &indexed).map_err(|e| {
        Error::failure(format!(
            "cannot write the index in {}",
            dest.join("simple").display()
        ))
        .with_source(e)
    })?;

    let total_bytes: u64 = wanted
        .iter()
        .map(|w| &w.file)
        .chain(&build_files)
        .filter_map(|file| dest.join(file).metadata().ok())
        .map(|m| m.len())
        .sum();
    printer.info(format!(
        "Downloaded {} ({}) in {}; {} already present; {} needed in all ({})",
        count(to_fetch.len(), "file"),
        format_bytes(fetched_bytes),
        format_duration(started.elapsed()),
        present,
        count(wanted.len() + build_files.len(), "file"),
        format_bytes(total_bytes),
    ));
    printer.info(format!(
        "Index of {} ({}) written to {}",
        count(projects, "project"),
        count(indexed.len(), "file"),
        dest.join("simple").display()
    ));
    printer.info(format!(
        "Install from it with: verse install --offline --find-links {}",
        dest.display()
    ));
    if args.json {
        let report = download_report(&dest, &wanted, &present_files, &skipped_lines, started);
        printer.result(&super::install::render_json(&report)?);
    }
    Ok(())
}

fn download_report(
    dest: &Path,
    wanted: &[Wanted],
    present: &std::collections::BTreeSet<String>,
    skipped: &[String],
    started: Instant,
) -> crate::report::json::DownloadReport {
    use crate::report::json::{seconds, DownloadEntry, DownloadReport, DownloadTimings};
    let mut files: Vec<DownloadEntry> = wanted
        .iter()
        .map(|w| DownloadEntry {
            name: w.package.name.to_string(),
            version: w.package.pretty_version.clone(),
            file: w.file.clone(),
            sha256: (w.hash.algorithm == HashAlgorithm::Sha256).then(|| w.hash.hex.clone()),
            action: if present.contains(&w.file) {
                "present"
            } else {
                "downloaded"
            },
            size: dest.join(&w.file).metadata().ok().map(|m| m.len()),
        })
        .collect();
    files.sort_by(|a, b| a.file.cmp(&b.file));
    files.dedup_by(|a, b| a.file == b.file);
    DownloadReport {
        schema: crate::report::json::DOWNLOAD_SCHEMA,
        dest: dest.display().to_string(),
        files,
        skipped: skipped.to_vec(),
        index: dest.join("simple").display().to_string(),
        timings: DownloadTimings {
            total_seconds: seconds(started.elapsed()),
        },
    }
}

/// What a build needs when installing offline: the wheels of the build requirements of each
/// package built from source, for the target it is built for, put in the folder too.
/// Returns the file names placed.
/// One source tree whose build requirements are wanted: for `target`, the tree at `path`, or
/// the sdist there (named `file`, built from its `subdirectory`).
type BuildJob<'t> = (&'t Target, String, PathBuf, Option<String>, Option<String>);

fn build_requirements(
    args: &DownloadArgs,
    printer: &Printer,
    project: &lock::Project,
    dest: &Path,
    cache: &crate::fetch::Cache,
    builds: &[(Target, PlannedPackage)],
    targets: &[Target],
) -> Result<Vec<String>, Error> {
    use super::build::BuildSource;
    let options = source_options(&args.sources);
    let mut placed = BTreeSet::new();
    let mut jobs: Vec<BuildJob<'_>> = Vec::new();
    for (target, package) in builds {
        let label = format!("{}=={}", package.name, package.pretty_version);
        match &package.artifact {
            // Downloaded into the folder just before (or found there, verified).
            Artifact::Sdist { file, .. } => {
                jobs.push((target, label, dest.join(file), Some(file.clone()), None))
            }
            Artifact::Direct(Direct::Url {
                file, subdirectory, ..
            }) => jobs.push((
                target,
                label,
                dest.join(file),
                Some(file.clone()),
                subdirectory.clone(),
            )),
            Artifact::Direct(Direct::File { path, file, .. }) => {
                jobs.push((target, label, path.clone(), Some(file.clone()), None))
            }
            Artifact::Direct(Direct::Directory { path, .. }) => {
                jobs.push((target, label, path.clone(), None, None))
            }
            // Checked out at install time, from the repository.
            _ => {}
        }
    }
    // The project itself, for `install --no-editable`: built from its own directory.
    if let (Some(name), true, true) = (&project.name, project.package_mode, args.no_editable) {
        for target in targets {
            jobs.push((
                target,
                format!("{name} (the project)"),
                project.root.clone(),
                None,
                None,
            ));
        }
    }
    for (target, label, path, file, subdirectory) in &jobs {
        let source = match file {
            Some(file) => BuildSource::Archive {
                path,
                file,
                subdirectory: subdirectory.as_deref(),
            },
            None => BuildSource::Tree(path),
        };
        let builder =
            super::build::Builder::new(printer, cache, target, &options, &project.sources);
        let system = builder.build_system_of(label, source)?;
        let mut requirements = system.requires.clone();
        // setuptools asks for `wheel` through get_requires_for_build_wheel in the versions
        // that need it; that hook cannot run here, so it is fetched whenever setuptools builds.
        if system.backend.starts_with("setuptools")
            && !requirements.iter().any(|r| r.starts_with("wheel"))
        {
            requirements.push("wheel".to_string());
        }
        let wheels = builder.requirement_wheels(label, &requirements)?;
        printer.info(format!(
            "{label} is built from source: {} for its build",
            count(wheels.len(), "build requirement")
        ));
        for wheel in wheels {
            let file = wheel.filename().to_string();
            if placed.insert(file.clone()) && !dest.join(&file).is_file() {
                place(wheel.path(), &dest.join(&file)).map_err(|e| {
                    Error::failure(format!("cannot write {file} into {}", dest.display()))
                        .with_source(e)
                })?;
            }
        }
    }
    Ok(placed.into_iter().collect())
}

type Planned = (Vec<Wanted>, Vec<(Target, PlannedPackage)>, Vec<Target>);

/// The files `install` would fetch for each target the flags describe, and the packages it
/// would build (with the target each is built for).
fn planned_files(
    args: &DownloadArgs,
    printer: &Printer,
    project: &lock::Project,
    lock: &Lock,
    skipped_lines: &mut Vec<String>,
) -> Result<Planned, Error> {
    let targets = targets(args)?;
    let selection = Selection {
        // The project itself is never downloaded: it is installed from its source tree.
        no_root: true,
        ..selection_of(&args.selection)
    };
    let mut wanted: Vec<Wanted> = Vec::new();
    let mut builds = Vec::new();
    let mut chosen_files = BTreeSet::new();
    for target in &targets {
        let described = flags::describe(target);
        let plan =
            plan::plan(project, lock, target, &selection, Policy::default()).map_err(|e| {
                let hint = e.hint();
                let error = Error::input(format!("cannot plan the download for {described}"))
                    .with_source(e);
                error.with_optional_hint(hint)
            })?;
        printer.info(format!(
            "{described}: {} selected",
            count(plan.packages.len(), "package")
        ));
        for skipped in &plan.skipped {
            skipped_lines.push(format!(
                "{}=={} for {described}: {}",
                skipped.name, skipped.version, skipped.reason
            ));
        }
        for package in plan.packages {
            if package.artifact.needs_build() {
                builds.push((target.clone(), package.clone()));
            }
            if let Artifact::Direct(Direct::Git { url, .. }) = &package.artifact {
                skipped_lines.push(format!(
                    "{}=={}: a git dependency, checked out from {url} at install time",
                    package.name, package.pretty_version
                ));
                continue;
            }
            // Path and file packages are read from the project at install time;
            // Policy::default() never plans an unhashed file.
            let Some((file, hash)) = package
                .artifact
                .hashed_file()
                .filter(|_| !matches!(package.artifact, Artifact::Direct(Direct::File { .. })))
            else {
                continue;
            };
            if chosen_files.insert(file.to_string()) {
                wanted.push(Wanted {
                    file: file.to_string(),
                    hash: hash.clone(),
                    package: package.clone(),
                });
            }
        }
    }
    // The other files of the chosen packages: name them in one line each, with the reason.
    let chosen: BTreeSet<(String, String)> = wanted
        .iter()
        .map(|w| (w.package.name.to_string(), w.package.pretty_version.clone()))
        .collect();
    let mut sdists = 0;
    let mut other_targets = 0;
    for package in &lock.packages {
        if !chosen.contains(&(package.name.to_string(), package.pretty_version.clone())) {
            continue;
        }
        for file in &package.files {
            if file.filename.is_empty() || chosen_files.contains(&file.filename) {
                continue;
            }
            if let Ok(wheel) = file.filename.parse::<WheelFilename>() {
                // Locks <= 1.1 list the files of every version of a name under each version.
                if wheel.name != package.name || wheel.version != package.version {
                    continue;
                }
            }
            if file.filename.ends_with(".whl") {
                other_targets += 1;
                printer.detail(format!(
                    "skipped: {}: a wheel for another target",
                    file.filename
                ));
            } else {
                sdists += 1;
                printer.detail(format!(
                    "skipped: {}: an sdist, not needed (a wheel was chosen)",
                    file.filename
                ));
            }
        }
    }
    if sdists + other_targets > 0 {
        skipped_lines.push(format!(
            "{} of the selected packages: {} (not needed: a wheel was chosen), {} for other targets (-v lists them)",
            count(sdists + other_targets, "other locked file"),
            count(sdists, "sdist"),
            count(other_targets, "wheel")
        ));
    }
    Ok((wanted, builds, targets))
}

/// The targets of the flags, or the probed `python3` when none is given.
fn targets(args: &DownloadArgs) -> Result<Vec<Target>, Error> {
    if args.python_versions.is_empty() && args.platforms.is_empty() && args.abis.is_empty() {
        let python = PathBuf::from("python3");
        let target = target::probe(&python).map_err(|e| {
            Error::input("cannot probe python3 to download for this machine")
                .with_source(e)
                .with_hint("name the target instead: --python-version 3.11 --platform manylinux_2_36_x86_64")
        })?;
        return Ok(vec![target]);
    }
    let spec = flags::TargetSpec {
        python_versions: args.python_versions.clone(),
        platforms: args.platforms.clone(),
        implementation: args.implementation.clone(),
        abis: args.abis.clone(),
    };
    flags::targets(&spec).map_err(|e| {
        Error::input("invalid target").with_source(e).with_hint(
            "e.g. --python-version 3.11 --platform manylinux_2_36_x86_64 (or --all-platforms)",
        )
    })
}

/// `--all-platforms`: every hashed wheel of every locked package from an index.
fn every_wheel(lock: &Lock, skipped_lines: &mut Vec<String>) -> Vec<Wanted> {
    let mut wanted = Vec::new();
    let mut seen = BTreeSet::new();
    let mut sdists = 0;
    for package in &lock.packages {
        let id = format!("{}=={}", package.name, package.pretty_version);
        match &package.source {
            PackageSource::Pypi | PackageSource::Legacy { .. } => {}
            _ => {
                skipped_lines.push(format!("{id}: not from an index (git, path or URL)"));
                continue;
            }
        }
        for file in &package.files {
            if file.filename.is_empty() {
                continue;
            }
            if !file.filename.ends_with(".whl") {
                sdists += 1;
                continue;
            }
            let Ok(filename) = file.filename.parse::<WheelFilename>() else {
                skipped_lines.push(format!("{}: not a valid wheel name", file.filename));
                continue;
            };
            // Locks <= 1.1 list the files of every version of a name under each version.
            if filename.name != package.name || filename.version != package.version {
                continue;
            }
            if !file.hash.algorithm.is_verifiable() {
                skipped_lines.push(format!(
                    "{}: the lock has no usable hash for it",
                    file.filename
                ));
                continue;
            }
            if !seen.insert(file.filename.clone()) {
                continue;
            }
            wanted.push(Wanted {
                file: file.filename.clone(),
                hash: file.hash.clone(),
                package: PlannedPackage {
                    name: package.name.clone(),
                    version: package.version.clone(),
                    pretty_version: package.pretty_version.clone(),
                    source: package.source.clone(),
                    artifact: Artifact::Wheel {
                        filename,
                        file: file.filename.clone(),
                        hash: Some(file.hash.clone()),
                    },
                    requested: false,
                    reason: "in the lock".to_string(),
                },
            });
        }
    }
    if sdists > 0 {
        skipped_lines.push(format!(
            "{}: --all-platforms takes wheels only (a plain download takes the sdists it needs)",
            count(sdists, "sdist")
        ));
    }
    wanted
}

/// The sha256 of a file.
pub(super) fn hash_file(path: &Path, algorithm: HashAlgorithm) -> std::io::Result<FileHash> {
    use std::io::Read;
    let mut hasher = Hasher::new(algorithm)
        .unwrap_or_else(|| Hasher::new(HashAlgorithm::Sha256).expect("sha256 is always available"));
    let mut reader = std::fs::File::open(path)?;
    let mut buffer = vec![0u8; 256 * 1024];
    loop {
        let read = reader.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    Ok(hasher.finish())
}

/// Puts a verified cache file at `to`: a hard link when the cache is on the same filesystem,
/// else a copy; through a temporary name, so an interrupted run leaves no partial file under
/// the real name.
fn place(from: &Path, to: &Path) -> std::io::Result<()> {
    let dir = to.parent().unwrap_or(Path::new("."));
    let temp = tempfile::Builder::new()
        .prefix(".download-")
        .tempfile_in(dir)?
        .into_temp_path();
    std::fs::remove_file(&temp)?;
    if std::fs::hard_link(from, &temp).is_err() {
        std::fs::copy(from, &temp)?;
    }
    temp.persist(to).map_err(|e| e.error)?;
    Ok(())
}

/// Every distribution file in the folder, with its sha256 (known ones are not read again).
fn index_folder(
    dest: &Path,
    known: &BTreeMap<String, String>,
) -> std::io::Result<Vec<IndexedFile>> {
    let mut files = Vec::new();
    for entry in fs_err::read_dir(dest)? {
        let entry = entry?;
        let path = entry.path();
        if !path.is_file() {
            continue;
        }
        let Some(filename) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if filename.starts_with('.') {
            continue;
        }
        let Some(project) = project_of(filename) else {
            continue;
        };
        let sha256 = match known.get(filename) {
            Some(hex) => hex.clone(),
            None => hash_file(&path, HashAlgorithm::Sha256)?.hex,
        };
        files.push(IndexedFile {
            project,
            filename: filename.to_string(),
            sha256,
        });
    }
    files.sort();
    Ok(files)
}
