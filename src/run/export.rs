//! `verse export`: reads the project, has [`crate::export`] write the text, and puts it on
//! stdout or in the `--output` file. For pylock.toml it first finds every exported wheel's URL
//! on its index (`locate`), since poetry.lock records only file names and hashes.

use std::collections::BTreeMap;
use std::path::Path;

use super::install::{absolute, read_project, source_options};
use crate::cli::ExportArgs;
use crate::error::Error;
use crate::export::{self, ExportError, ExportOptions};
use crate::locate::Locator;
use crate::lock::{Lock, Project};
use crate::plan::{Artifact, PlannedPackage};
use crate::report::Printer;

pub fn export_command(args: &ExportArgs, printer: &Printer) -> Result<(), Error> {
    let project_dir = absolute(&args.input.project);
    if args.format == "pylock.toml" {
        if let Some(output) = &args.output {
            check_pylock_name(output)?;
        }
    }
    let (project, lock) = read_project(&project_dir, args.input.allow_stale_lock, printer)?;
    let options = ExportOptions {
        only: args.only.clone(),
        with: args.with.clone(),
        without: args.without.clone(),
        all_groups: args.all_groups,
        extras: args.extras.clone(),
        all_extras: args.all_extras,
        with_hashes: !args.without_hashes,
        with_urls: !args.without_urls,
    };
    let text = if args.format == "pylock.toml" {
        let urls = wheel_urls(args, printer, &project, &lock, &options)?;
        let written =
            export::pylock::write(&project, &lock, &options, &|file| urls.get(file).cloned())
                .map_err(export_error)?;
        if !written.without_wheels.is_empty() {
            printer.warn(format!(
                "left out of pylock.toml, having no file on an index (direct references are not exported): {}",
                written.without_wheels.join(", ")
            ));
        }
        written.text
    } else {
        export::requirements_txt(&project, &lock, &options).map_err(export_error)?
    };
    match &args.output {
        None => printer.result(&text),
        Some(path) => {
            fs_err::write(path, text).map_err(|e| {
                Error::failure(format!("cannot write {}", path.display())).with_source(e)
            })?;
            printer.info(format!("Exported to {}", path.display()));
        }
    }
    Ok(())
}

/// The download URL of every wheel of the exported packages, by file name, from the indexes
/// `verse install` would use (`--index-url`, sources, `--find-links`).
fn wheel_urls(
    args: &ExportArgs,
    printer: &Printer,
    project: &Project,
    lock: &Lock,
    options: &ExportOptions,
) -> Result<BTreeMap<String, String>, Error> {
    let groups = export::groups(project, options).map_err(export_error)?;
    let extras = export::extras(project, options).map_err(export_error)?;
    let selected = export::select(lock, &groups, &extras).map_err(export_error)?;
    let mut wanted = Vec::new();
    for exported in &selected {
        let package = exported.package;
        if export::pylock::index_of(&package.source).is_none() {
            continue;
        }
        for file in &package.files {
            let artifact = match file.filename.parse() {
                Ok(filename) => Artifact::Wheel {
                    filename,
                    file: file.filename.clone(),
                    hash: Some(file.hash.clone()),
                },
                Err(_) if crate::build::sdist::is_sdist(&file.filename) => Artifact::Sdist {
                    file: file.filename.clone(),
                    hash: Some(file.hash.clone()),
                },
                Err(_) => continue,
            };
            wanted.push(PlannedPackage {
                name: package.name.clone(),
                version: package.version.clone(),
                pretty_version: package.pretty_version.clone(),
                source: package.source.clone(),
                artifact,
                requested: false,
                reason: String::new(),
            });
        }
    }
    let locator = Locator::new(&source_options(&args.sources), &project.sources).map_err(|e| {
        let hint = e.hint();
        Error::input("invalid package source")
            .with_source(e)
            .with_optional_hint(hint)
    })?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::failure("cannot start the async runtime").with_source(e))?;
    let tags = crate::packaging::Tags::default();
    let results = runtime.block_on(async {
        let lookups = wanted.iter().map(|p| locator.locate(p, &tags));
        futures_util::future::join_all(lookups).await
    });
    let mut urls = BTreeMap::new();
    let mut errors = Vec::new();
    for (package, result) in wanted.iter().zip(results) {
        let (Artifact::Wheel { file, .. } | Artifact::Sdist { file, .. }) = &package.artifact
        else {
            continue;
        };
        match result {
            Ok(located) => {
                printer.detail(format!("{file}: {}", located.url));
                urls.insert(file.clone(), located.url.to_string());
            }
            // An sdist is a fallback: one that no index lists is left out, not an error.
            Err(e) if matches!(package.artifact, Artifact::Sdist { .. }) => {
                printer.detail(format!("{file}: left out ({e})"));
            }
            Err(e) => {
                errors.push(Error::failure(format!("cannot find the URL of {file}")).with_source(e))
            }
        }
    }
    match super::install::combine(errors) {
        Some(error) => Err(error.with_hint(
            "pylock.toml records each wheel's URL: pass --index-url (or --find-links) where the locked wheels can be found",
        )),
        None => Ok(urls),
    }
}

/// PEP 751: a lock file is `pylock.toml` or `pylock.<name>.toml`.
fn check_pylock_name(path: &Path) -> Result<(), Error> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let valid = name == "pylock.toml"
        || name
            .strip_prefix("pylock.")
            .and_then(|rest| rest.strip_suffix(".toml"))
            .is_some_and(|middle| !middle.is_empty() && !middle.contains('.'));
    if valid {
        Ok(())
    } else {
        Err(Error::input(format!(
            "the output file for pylock.toml must be named pylock.toml or pylock.NAME.toml, not {name}"
        ))
        .with_hint("PEP 751 tools find lock files by that name"))
    }
}

fn export_error(error: ExportError) -> Error {
    let hint = error.hint();
    Error::input("cannot export the lock")
        .with_source(error)
        .with_optional_hint(hint)
}
