//! `verse export`: reads the project, has [`crate::export`] write the text, and puts it on
//! stdout or in the `--output` file. The formats themselves live in `export`.

use std::path::Path;

use super::install::{absolute, read_project};
use crate::cli::ExportArgs;
use crate::error::Error;
use crate::export::{self, ExportError, ExportOptions};
use crate::report::Printer;

pub fn export_command(args: &ExportArgs, printer: &Printer) -> Result<(), Error> {
    let project_dir = absolute(&args.project);
    if args.format == "pylock.toml" {
        if let Some(output) = &args.output {
            check_pylock_name(output)?;
        }
    }
    let (project, lock) = read_project(&project_dir, args.allow_stale_lock, printer)?;
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
    let text = match args.format.as_str() {
        _ => export::requirements_txt(&project, &lock, &options),
    }
    .map_err(export_error)?;
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
