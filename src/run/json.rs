//! Gathers the facts of an install (the plan, what changed, the timings) into the `--json`
//! document of [`crate::report::json`].

use std::collections::HashMap;
use std::path::Path;

use crate::install::InstalledDistribution;
use crate::lock::PackageSource;
use crate::packaging::HashAlgorithm;
use crate::plan::{Artifact, Plan, PlannedPackage};
use crate::report::json::{InstallReport, PackageEntry, Python, Timings, INSTALL_SCHEMA};
use crate::report::Summary;
use crate::target::Target;

/// What happened (or, for a dry run, would happen).
pub(super) enum Outcome<'a> {
    /// A dry run: what is installed now decides each action.
    DryRun(&'a HashMap<String, InstalledDistribution>),
    Done(&'a Summary),
}

pub(super) fn install_report(
    plan: &Plan,
    target: &Target,
    venv_dir: &Path,
    index_url: Option<&str>,
    outcome: Outcome<'_>,
    timings: Timings,
) -> InstallReport {
    let index = index_url.unwrap_or(crate::locate::PYPI_SIMPLE);
    let mut packages: Vec<PackageEntry> = Vec::new();
    for package in &plan.packages {
        let (action, replaced) =
            action_of(package.name.as_ref(), &package.pretty_version, &outcome);
        let file = match &package.artifact {
            Artifact::BestFromIndex => None,
            other => Some(other.describe()),
        };
        let sha256 = package
            .artifact
            .hashed_file()
            .map(|(_, hash)| hash)
            .filter(|h| h.algorithm == HashAlgorithm::Sha256)
            .map(|h| h.hex.clone());
        let editable = matches!(
            package.artifact,
            Artifact::Direct(
                crate::plan::Direct::Directory { editable: true, .. }
                    | crate::plan::Direct::Git { editable: true, .. }
            )
        );
        packages.push(PackageEntry {
            name: package.name.to_string(),
            version: package.pretty_version.clone(),
            action,
            replaced,
            file,
            source: Some(source_of(package, index)),
            sha256,
            reason: package.reason.clone(),
            requested: package.requested,
            editable,
        });
    }
    if let Some(root) = &plan.root {
        let (action, replaced) = action_of(root.name.as_ref(), &root.version, &outcome);
        packages.push(PackageEntry {
            name: root.name.to_string(),
            version: root.version.clone(),
            action,
            replaced,
            file: None,
            source: Some(root.root.display().to_string()),
            sha256: None,
            reason: "the project itself".into(),
            requested: true,
            editable: root.editable,
        });
    }
    for skipped in &plan.skipped {
        packages.push(PackageEntry {
            name: skipped.name.to_string(),
            version: skipped.version.clone(),
            action: "skipped",
            replaced: None,
            file: None,
            source: None,
            sha256: None,
            reason: skipped.reason.clone(),
            requested: false,
            editable: false,
        });
    }
    if let Outcome::Done(summary) = &outcome {
        for (name, version) in &summary.removed {
            if summary.installed.iter().any(|(n, _)| n == name) {
                continue;
            }
            packages.push(PackageEntry {
                name: name.clone(),
                version: version.clone(),
                action: "removed",
                replaced: None,
                file: None,
                source: None,
                sha256: None,
                reason: "installed but not in the selection (--sync)".into(),
                requested: false,
                editable: false,
            });
        }
    }
    packages.sort_by(|a, b| a.name.cmp(&b.name).then(a.version.cmp(&b.version)));
    InstallReport {
        schema: INSTALL_SCHEMA,
        dry_run: matches!(outcome, Outcome::DryRun(_)),
        venv: venv_dir.display().to_string(),
        python: Python {
            version: target.full_version.clone(),
            executable: target.executable.display().to_string(),
            sys_platform: target.markers.sys_platform().to_string(),
            platform_machine: target.markers.platform_machine().to_string(),
        },
        groups: plan.groups.iter().map(ToString::to_string).collect(),
        extras: plan.extras.iter().map(ToString::to_string).collect(),
        packages,
        timings,
    }
}

fn action_of(name: &str, version: &str, outcome: &Outcome<'_>) -> (&'static str, Option<String>) {
    match outcome {
        Outcome::Done(summary) => {
            if summary.installed.iter().any(|(n, _)| n == name) {
                let replaced = summary
                    .removed
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| v.clone());
                ("installed", replaced)
            } else {
                ("unchanged", None)
            }
        }
        Outcome::DryRun(installed) => match installed.get(name) {
            Some(existing) if existing.version.to_string() == normalized(version) => {
                ("unchanged", None)
            }
            Some(existing) => ("installed", Some(existing.version.to_string())),
            None => ("installed", None),
        },
    }
}

fn normalized(version: &str) -> String {
    version
        .parse::<crate::packaging::Version>()
        .map_or_else(|_| version.to_string(), |v| v.to_string())
}

fn source_of(package: &PlannedPackage, index: &str) -> String {
    match &package.source {
        PackageSource::Legacy { reference, .. } => format!("source {reference}"),
        PackageSource::Pypi => index.to_string(),
        // Path, git, file and url packages: the file field says where.
        _ => "the lock's location".to_string(),
    }
}
