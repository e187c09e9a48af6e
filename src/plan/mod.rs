//! Decides what to install: which locked packages `poetry install` would install for this
//! target and these flags ([`select`]), and which file of each ([`choose`]).
//!
//! Pure: values in (the lock, the project, the probed target, the flags), a [`Plan`] out. No
//! files, network or terminal, so every rule here is tested with plain values.

pub mod choose;
pub mod groups;
pub mod select;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::lock::{Lock, PackageSource, Project, RootPackage};
use crate::packaging::{ExtraName, FileHash, GroupName, PackageName, Version, WheelFilename};
use crate::target::Target;

/// The flags that choose groups and extras, as the user gave them (not yet validated).
#[derive(Clone, Debug, Default)]
pub struct Selection {
    pub only: Vec<String>,
    pub with: Vec<String>,
    pub without: Vec<String>,
    pub all_groups: bool,
    pub extras: Vec<String>,
    pub all_extras: bool,
    pub no_root: bool,
    /// Poetry's `--only-root`: the project alone, none of its dependencies.
    pub only_root: bool,
}

/// What the user allows beyond the safe default.
#[derive(Clone, Copy, Debug, Default)]
pub struct Policy {
    /// Install packages whose lock entry has no usable hash.
    pub allow_unhashed: bool,
    /// Install `develop = true` path and git dependencies as regular wheels (`--no-editable`).
    pub no_editable: bool,
}

/// Everything that will be installed, decided before any I/O.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The groups in effect, after `--only/--with/--without/--all-groups`.
    pub groups: Vec<GroupName>,
    /// The root extras in effect.
    pub extras: Vec<ExtraName>,
    /// Sorted by name.
    pub packages: Vec<PlannedPackage>,
    /// Every other locked package, with the reason it is left out.
    pub skipped: Vec<Skipped>,
    /// The project itself, installed editable after its dependencies.
    pub root: Option<PlannedRoot>,
    /// Things the user should know that do not stop the install.
    pub warnings: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct PlannedPackage {
    pub name: PackageName,
    pub version: Version,
    /// The version as the lock spells it.
    pub pretty_version: String,
    pub source: PackageSource,
    pub artifact: Artifact,
    /// A direct dependency of the project (pip's REQUESTED marker file).
    pub requested: bool,
    /// Why it is selected, in words (for `--dry-run`).
    pub reason: String,
}

/// The file to install for a package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Artifact {
    /// A wheel the lock lists. `hash` is `None` only when the user allowed unhashed packages.
    Wheel {
        filename: WheelFilename,
        /// The file name as written in the lock.
        file: String,
        hash: Option<FileHash>,
    },
    /// The lock lists no files for this package (allowed by `--allow-unhashed`): the best
    /// compatible wheel of this version is picked from the index, unverified.
    BestFromIndex,
    /// No locked wheel fits, but the lock lists this sdist: fetched from the package's index
    /// like a wheel, then built.
    Sdist {
        /// The file name as written in the lock.
        file: String,
        hash: Option<FileHash>,
    },
    /// Not from an index: a directory, a git commit, a local file or a URL.
    Direct(Direct),
}

/// A package that does not come from an index (`[package.source]` of type directory, git,
/// file or url), with relative paths already resolved against the project directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Direct {
    /// Built into a wheel, or an editable wheel (`develop = true`).
    Directory { path: PathBuf, editable: bool },
    Git {
        url: String,
        /// What the user asked for (branch, tag or commit), for `direct_url.json`.
        reference: String,
        /// The locked commit; `None` only in locks older than Poetry 1.2.
        commit: Option<String>,
        subdirectory: Option<String>,
        editable: bool,
    },
    /// A local wheel or sdist.
    File {
        path: PathBuf,
        file: String,
        hash: Option<FileHash>,
    },
    /// A wheel or sdist at a URL.
    Url {
        url: String,
        file: String,
        hash: Option<FileHash>,
        subdirectory: Option<String>,
    },
}

impl Artifact {
    /// The file name to show for it.
    pub fn describe(&self) -> String {
        match self {
            Artifact::Wheel { file, .. } | Artifact::Sdist { file, .. } => file.clone(),
            Artifact::BestFromIndex => "(best wheel on the index, unverified)".to_string(),
            Artifact::Direct(Direct::Directory { path, editable }) => format!(
                "{}directory {}",
                if *editable { "editable " } else { "" },
                path.display()
            ),
            Artifact::Direct(Direct::Git {
                url,
                reference,
                commit,
                subdirectory,
                ..
            }) => {
                let mut text = format!("git {url}@{}", commit.as_deref().unwrap_or(reference));
                if let Some(sub) = subdirectory {
                    text.push_str(&format!("#subdirectory={sub}"));
                }
                text
            }
            Artifact::Direct(Direct::File { path, .. }) => path.display().to_string(),
            Artifact::Direct(Direct::Url { url, .. }) => url.clone(),
        }
    }

    /// The file and its locked hash, for an artifact that is one hashed file (an index wheel
    /// or sdist, a `file` or `url` package).
    pub fn hashed_file(&self) -> Option<(&str, &FileHash)> {
        match self {
            Artifact::Wheel {
                file,
                hash: Some(hash),
                ..
            }
            | Artifact::Sdist {
                file,
                hash: Some(hash),
            }
            | Artifact::Direct(
                Direct::File {
                    file,
                    hash: Some(hash),
                    ..
                }
                | Direct::Url {
                    file,
                    hash: Some(hash),
                    ..
                },
            ) => Some((file, hash)),
            _ => None,
        }
    }

    /// Whether installing it means running a build backend.
    pub fn needs_build(&self) -> bool {
        match self {
            Artifact::Wheel { .. } | Artifact::BestFromIndex => false,
            Artifact::Sdist { .. } => true,
            Artifact::Direct(Direct::File { file, .. } | Direct::Url { file, .. }) => {
                !file.ends_with(".whl")
            }
            Artifact::Direct(Direct::Directory { .. } | Direct::Git { .. }) => true,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub name: PackageName,
    pub version: String,
    pub reason: String,
}

#[derive(Clone, Debug)]
pub struct PlannedRoot {
    pub name: PackageName,
    pub version: String,
    pub root: PathBuf,
    pub package: RootPackage,
    /// Installed editable (Poetry's way), or built into a wheel (`--no-editable`).
    pub editable: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("{}", unknown_names("group", unknown, known))]
    UnknownGroups {
        unknown: Vec<String>,
        known: Vec<String>,
    },
    #[error("{}", unknown_names("extra", unknown, known))]
    UnknownExtras {
        unknown: Vec<String>,
        known: Vec<String>,
    },
    #[error("Python {version} is not allowed by the project, which requires Python {constraint}")]
    PythonNotAllowed { version: String, constraint: String },
    #[error(
        "poetry.lock: metadata.python-versions `{constraint}` is not a valid constraint: {message}"
    )]
    BadPythonConstraint { constraint: String, message: String },
    #[error("poetry.lock: the marker of {package} is not valid PEP 508: `{marker}`: {message}")]
    BadMarker {
        package: String,
        marker: String,
        message: String,
    },
    #[error("poetry.lock: the constraint `{constraint}` on {package} is not valid: {message}")]
    BadConstraint {
        package: String,
        constraint: String,
        message: String,
    },
    #[error("{name} would be installed at several versions ({}): the lock's markers overlap for this interpreter", versions.join(", "))]
    ConflictingVersions { name: String, versions: Vec<String> },
    #[error("{from} requires {name}, which is not in poetry.lock")]
    MissingFromLock { from: String, name: String },
    #[error("{}", artifact_errors(.0))]
    Artifacts(Vec<ArtifactError>),
    #[error("the project {name} has no package to install: no module or package named like it in {root}, and no `packages` in [tool.poetry]")]
    RootNotFound { name: String, root: String },
}

/// Why no installable file was found for one package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArtifactError {
    /// Wheels exist but none fits this interpreter.
    NoCompatibleWheel {
        package: String,
        version: String,
        /// (file, why it was rejected)
        rejected: Vec<(String, String)>,
    },
    /// A file or URL source whose file the lock does not name, or that verse cannot read.
    Unsupported {
        package: String,
        version: String,
        what: String,
    },
    /// The lock has no usable hash for the chosen file.
    Unhashed { package: String, version: String },
}

fn unknown_names(kind: &str, unknown: &[String], known: &[String]) -> String {
    let plural = if unknown.len() == 1 { "" } else { "s" };
    let known = if known.is_empty() {
        "the project defines none".to_string()
    } else {
        format!("known {kind}s: {}", known.join(", "))
    };
    format!("unknown {kind}{plural}: {} ({known})", unknown.join(", "))
}

fn artifact_errors(errors: &[ArtifactError]) -> String {
    let mut out = String::new();
    let count = errors.len();
    out.push_str(&if count == 1 {
        "1 package cannot be installed:".to_string()
    } else {
        format!("{count} packages cannot be installed:")
    });
    for error in errors {
        out.push('\n');
        match error {
            ArtifactError::NoCompatibleWheel {
                package,
                version,
                rejected,
            } => {
                out.push_str(&format!(
                    "  {package}=={version}: no locked wheel fits this interpreter"
                ));
                for (file, why) in rejected {
                    out.push_str(&format!("\n    {file}: {why}"));
                }
            }
            ArtifactError::Unsupported {
                package,
                version,
                what,
            } => out.push_str(&format!("  {package}=={version}: {what}")),
            ArtifactError::Unhashed { package, version } => out.push_str(&format!(
                "  {package}=={version}: the lock has no hash for it, so it cannot be verified"
            )),
        }
    }
    out
}

impl PlanError {
    /// What the user can do about it.
    pub fn hint(&self) -> Option<String> {
        match self {
            PlanError::UnknownGroups { .. } => Some(
                "groups are defined in pyproject.toml under [tool.poetry.group.<name>] or [dependency-groups]".into(),
            ),
            PlanError::UnknownExtras { .. } => Some(
                "extras are defined in pyproject.toml ([tool.poetry.extras] or [project.optional-dependencies]); run `poetry lock` if you added one".into(),
            ),
            PlanError::PythonNotAllowed { .. } => Some(
                "choose another interpreter with --python (a path or a version like 3.11)".into(),
            ),
            PlanError::RootNotFound { .. } => Some(
                "pass --no-root to install only the dependencies, set `package-mode = false` in [tool.poetry], or declare `packages`".into(),
            ),
            PlanError::ConflictingVersions { .. } => {
                Some("the lock is inconsistent: run `poetry lock` again".into())
            }
            PlanError::MissingFromLock { .. } => {
                Some("the lock is incomplete: run `poetry lock` again".into())
            }
            PlanError::Artifacts(errors) => {
                let unhashed = errors
                    .iter()
                    .any(|e| matches!(e, ArtifactError::Unhashed { .. }));
                let no_wheel = errors
                    .iter()
                    .any(|e| matches!(e, ArtifactError::NoCompatibleWheel { .. }));
                if unhashed {
                    Some("relock with a current Poetry to record hashes, or pass --allow-unhashed to install without verifying them".into())
                } else if no_wheel {
                    Some("use an interpreter these wheels were built for (--python), or relock so the lock has wheels for this platform".into())
                } else {
                    None
                }
            }
            _ => None,
        }
    }
}

/// Plans the install of `lock` for `target`.
pub fn plan(
    project: &Project,
    lock: &Lock,
    target: &Target,
    selection: &Selection,
    policy: Policy,
) -> Result<Plan, PlanError> {
    check_python(lock, target)?;
    let groups = groups::activated(project, selection)?;
    let extras = groups::extras(project, lock, selection)?;
    let mut selected = select::select(project, lock, target, &groups, &extras)?;
    if selection.only_root {
        for chosen in selected.chosen.drain(..) {
            let package = &lock.packages[chosen.index];
            selected.skipped.push(Skipped {
                name: package.name.clone(),
                version: package.pretty_version.clone(),
                reason: "--only-root installs the project alone".to_string(),
            });
        }
        selected.skipped.sort_by(|a, b| a.name.cmp(&b.name));
    }

    let mut packages = Vec::new();
    let mut errors = Vec::new();
    for chosen in &selected.chosen {
        let package = &lock.packages[chosen.index];
        match choose::artifact(package, &target.tags, policy, &project.root) {
            Ok(artifact) => packages.push(PlannedPackage {
                name: package.name.clone(),
                version: package.version.clone(),
                pretty_version: package.pretty_version.clone(),
                source: package.source.clone(),
                artifact,
                requested: chosen.requested,
                reason: chosen.reason.clone(),
            }),
            Err(error) => errors.push(error),
        }
    }
    if !errors.is_empty() {
        return Err(PlanError::Artifacts(errors));
    }
    packages.sort_by(|a, b| a.name.cmp(&b.name));

    let mut warnings: Vec<String> = groups::ignored_options_warning(selection)
        .into_iter()
        .collect();
    for package in &packages {
        if matches!(package.artifact, Artifact::BestFromIndex)
            || matches!(package.artifact, Artifact::Wheel { hash: None, .. })
            || matches!(package.artifact, Artifact::Sdist { hash: None, .. })
        {
            warnings.push(format!(
                "{}=={} has no hash in the lock: it will be installed unverified (--allow-unhashed)",
                package.name, package.pretty_version
            ));
        }
    }

    let root = match (&project.name, project.package_mode, selection.no_root) {
        // Built as a wheel, the project's backend decides what goes in; only the editable
        // install needs verse to find the package directories itself.
        (Some(name), true, false)
            if project.root_package.package_dirs.is_empty() && !policy.no_editable =>
        {
            return Err(PlanError::RootNotFound {
                name: name.to_string(),
                root: project.root.display().to_string(),
            })
        }
        (Some(name), true, false) => Some(PlannedRoot {
            name: name.clone(),
            version: project.version.clone().unwrap_or_else(|| "0".to_string()),
            root: project.root.clone(),
            package: project.root_package.clone(),
            editable: !policy.no_editable,
        }),
        _ => None,
    };

    Ok(Plan {
        groups,
        extras,
        packages,
        skipped: selected.skipped,
        root,
        warnings,
    })
}

/// Poetry refuses an interpreter outside the project's Python constraint; so do we, because
/// the lock's markers were simplified against that range and mean nothing outside it.
fn check_python(lock: &Lock, target: &Target) -> Result<(), PlanError> {
    use crate::packaging::poetry_constraint::PoetryConstraint;
    let constraint = lock.python_versions.trim();
    if constraint.is_empty() || constraint == "*" {
        return Ok(());
    }
    let parsed =
        PoetryConstraint::parse(constraint).map_err(|e| PlanError::BadPythonConstraint {
            constraint: constraint.to_string(),
            message: e.to_string(),
        })?;
    let version: Version =
        target
            .full_version
            .parse()
            .map_err(|_| PlanError::BadPythonConstraint {
                constraint: constraint.to_string(),
                message: format!(
                    "the interpreter's version {} is not PEP 440",
                    target.full_version
                ),
            })?;
    if parsed.contains(&version) {
        Ok(())
    } else {
        Err(PlanError::PythonNotAllowed {
            version: target.full_version.clone(),
            constraint: constraint.to_string(),
        })
    }
}

/// Locked packages keyed by normalized name; a name may have several entries.
pub(crate) fn by_name(lock: &Lock) -> BTreeMap<&PackageName, Vec<usize>> {
    let mut map: BTreeMap<&PackageName, Vec<usize>> = BTreeMap::new();
    for (index, package) in lock.packages.iter().enumerate() {
        map.entry(&package.name).or_default().push(index);
    }
    map
}
