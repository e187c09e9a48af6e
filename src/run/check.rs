//! `verse check`: compares an installed venv with what `verse install` would put there for the
//! same lock and flags — missing, extra and wrong-version packages — and checks every installed
//! file against its RECORD hash. Changes nothing. Useful in CI and in image scans.

use std::collections::{BTreeMap, BTreeSet};
use std::process::ExitCode;

use serde::Serialize;

use super::install::{absolute, selection_of, venv_dir, venv_error};
use crate::cli::CheckArgs;
use crate::error::Error;
use crate::install::{self, FileProblemKind};
use crate::plan::{self, Policy};
use crate::report::Printer;
use crate::{target, venv};

/// The `--json` document. Field names are a stable contract (README, "verse check").
#[derive(Debug, Serialize)]
pub struct Report {
    /// `verse.check/1`, like the other `--json` documents (README "JSON output").
    pub schema: &'static str,
    pub venv: String,
    pub clean: bool,
    /// Packages checked (installed and expected).
    pub packages: usize,
    /// Installed files whose hash was compared with RECORD.
    pub files: usize,
    pub missing: Vec<Expected>,
    pub wrong_version: Vec<WrongVersion>,
    pub extra: Vec<Expected>,
    pub changed: Vec<Changed>,
}

#[derive(Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Expected {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Serialize)]
pub struct WrongVersion {
    pub name: String,
    pub installed: String,
    pub locked: String,
}

#[derive(Debug, Serialize)]
pub struct Changed {
    pub package: String,
    pub path: String,
    /// `modified`, `missing` or `outside-venv`.
    pub problem: &'static str,
}

/// Packages a venv may hold that the lock does not list: the venv's own installer, as
/// `poetry sync` keeps it.
const TOLERATED: &[&str] = &["pip"];

pub fn check_command(args: &CheckArgs, printer: &Printer) -> Result<ExitCode, Error> {
    let project_dir = absolute(&args.input.project);
    let (project, lock) = super::input::read_install_input(
        &project_dir,
        args.lock.as_deref(),
        args.input.allow_stale_lock,
        printer,
    )?;
    let venv_dir = venv_dir(args.venv.as_deref(), &project_dir);
    let Some(python) = venv::interpreter(&venv_dir) else {
        return Err(
            Error::input(format!("there is no virtualenv at {}", venv_dir.display()))
                .with_hint("pass --venv with the venv to check, or run `verse install` first"),
        );
    };
    let target = target::probe(&python).map_err(|e| {
        Error::input(format!(
            "cannot run the venv's interpreter {}",
            python.display()
        ))
        .with_source(e)
        .with_hint("the venv is broken (was it copied from another machine?)")
    })?;
    let venv = venv::open(&venv_dir, &target).map_err(venv_error)?;
    let plan = plan::plan(
        &project,
        &lock,
        &target,
        &selection_of(&args.selection),
        Policy {
            allow_unhashed: true,
            no_editable: false,
        },
    )
    .map_err(|e| {
        let hint = e.hint();
        let error = Error::input("cannot work out what should be installed").with_source(e);
        error.with_optional_hint(hint)
    })?;
    let installed = install::installed(&venv).map_err(|e| {
        Error::failure(format!(
            "cannot read what is installed in {}",
            venv_dir.display()
        ))
        .with_source(e)
    })?;

    let mut expected: BTreeMap<String, String> = plan
        .packages
        .iter()
        .map(|p| (p.name.to_string(), p.version.to_string()))
        .collect();
    if let Some(root) = &plan.root {
        let version = root
            .version
            .parse::<crate::packaging::Version>()
            .map_or_else(|_| root.version.clone(), |v| v.to_string());
        expected.insert(root.name.to_string(), version);
    }

    let mut report = Report {
        schema: crate::report::json::CHECK_SCHEMA,
        venv: venv_dir.display().to_string(),
        clean: false,
        packages: 0,
        files: 0,
        missing: Vec::new(),
        wrong_version: Vec::new(),
        extra: Vec::new(),
        changed: Vec::new(),
    };
    let mut seen = BTreeSet::new();
    for dist in &installed {
        let name = dist.name.to_string();
        seen.insert(name.clone());
        match expected.get(&name) {
            None if TOLERATED.contains(&name.as_str()) => continue,
            None => {
                report.extra.push(Expected {
                    name,
                    version: dist.version.to_string(),
                });
                continue;
            }
            Some(locked) if *locked != dist.version.to_string() => {
                report.wrong_version.push(WrongVersion {
                    name: name.clone(),
                    installed: dist.version.to_string(),
                    locked: locked.clone(),
                });
            }
            Some(_) => {}
        }
        report.packages += 1;
        let verified = install::verify(&venv, dist).map_err(|e| {
            Error::failure(format!("cannot check the files of {name}")).with_source(e)
        })?;
        report.files += verified.files;
        for problem in verified.problems {
            report.changed.push(Changed {
                package: format!("{}=={}", name, dist.version),
                path: problem.path,
                problem: match problem.kind {
                    FileProblemKind::Missing => "missing",
                    FileProblemKind::Modified { .. } => "modified",
                    FileProblemKind::OutsideVenv => "outside-venv",
                },
            });
        }
    }
    for (name, version) in &expected {
        if !seen.contains(name) {
            report.missing.push(Expected {
                name: name.clone(),
                version: version.clone(),
            });
        }
    }
    report.extra.sort();
    report.clean = report.missing.is_empty()
        && report.extra.is_empty()
        && report.wrong_version.is_empty()
        && report.changed.is_empty();

    if args.json {
        let text = serde_json::to_string_pretty(&report)
            .map_err(|e| Error::failure("cannot write the JSON report").with_source(e))?;
        printer.result(&format!("{text}\n"));
    } else {
        printer.result(&describe(&report));
    }
    Ok(if report.clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn describe(report: &Report) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    for m in &report.missing {
        let _ = writeln!(out, "missing        {}=={}", m.name, m.version);
    }
    for w in &report.wrong_version {
        let _ = writeln!(
            out,
            "wrong version  {}: {} installed, {} locked",
            w.name, w.installed, w.locked
        );
    }
    for e in &report.extra {
        let _ = writeln!(
            out,
            "extra          {}=={} (not in the lock's selection)",
            e.name, e.version
        );
    }
    for c in &report.changed {
        let _ = writeln!(
            out,
            "changed        {}: {} ({})",
            c.package, c.path, c.problem
        );
    }
    let problems = report.missing.len()
        + report.wrong_version.len()
        + report.extra.len()
        + report.changed.len();
    let _ = writeln!(
        out,
        "{}: {} and {} checked in {}",
        if report.clean {
            "OK, the venv matches the lock".to_string()
        } else {
            crate::report::count(problems, "problem")
        },
        crate::report::count(report.packages, "package"),
        crate::report::count(report.files, "file"),
        report.venv
    );
    out
}
