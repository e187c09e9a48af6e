//! Which file of a selected package to install: the best-priority compatible wheel among the
//! files the lock lists (Poetry's Chooser: locked hash, then tag priority, then build tag).
//! A package with only an sdist, or from a git/directory/url source, cannot be installed until
//! building lands; it is reported, never skipped silently.

use super::{Artifact, ArtifactError, Policy};
use crate::lock::{LockedPackage, PackageSource};
use crate::packaging::wheel_filename::sdist_version;
use crate::packaging::{Tags, WheelFilename};

pub fn artifact(
    package: &LockedPackage,
    tags: &Tags,
    policy: Policy,
) -> Result<Artifact, ArtifactError> {
    let name = package.name.to_string();
    let version = package.pretty_version.clone();
    let needs_build = |what: &str| ArtifactError::NeedsBuild {
        package: name.clone(),
        version: version.clone(),
        what: what.to_string(),
    };
    match &package.source {
        PackageSource::Pypi | PackageSource::Legacy { .. } => {}
        PackageSource::Git { url, .. } => {
            return Err(needs_build(&format!("it comes from git ({url})")))
        }
        PackageSource::Directory { url } => {
            return Err(needs_build(&format!("it is a local directory ({url})")))
        }
        PackageSource::File { url } => {
            return Err(needs_build(&format!("it is a local file ({url})")))
        }
        PackageSource::Url { url, .. } => {
            return Err(needs_build(&format!("it is a direct URL ({url})")))
        }
    }

    let named: Vec<_> = package
        .files
        .iter()
        .filter(|f| !f.filename.is_empty())
        .collect();
    if named.is_empty() {
        return if policy.allow_unhashed {
            Ok(Artifact::BestFromIndex)
        } else {
            Err(ArtifactError::Unhashed {
                package: name,
                version,
            })
        };
    }

    let mut best: Option<(usize, WheelFilename, &str, &crate::lock::LockedFile)> = None;
    // Each rejected file, with why; a wheel for another interpreter (`Err`) is explained only
    // if no file fits, since an explanation walks the whole tag list (numpy's lock entries
    // list dozens of wheels, and this runs for every package).
    let mut rejected: Vec<(String, Result<String, WheelFilename>)> = Vec::new();
    let mut sdists: Vec<&str> = Vec::new();
    for file in named {
        let filename = file.filename.as_str();
        if !filename.ends_with(".whl") {
            if is_sdist(filename) {
                // Locks ≤ 1.1 list every locked version's files together: keep only this one's.
                let other_version = sdist_version(filename, &package.name)
                    .is_some_and(|version| version != package.version);
                if !other_version {
                    sdists.push(filename);
                }
            } else {
                rejected.push((filename.to_string(), Ok("not a wheel or sdist".to_string())));
            }
            continue;
        }
        let wheel: WheelFilename = match filename.parse() {
            Ok(wheel) => wheel,
            Err(error) => {
                rejected.push((filename.to_string(), Ok(format!("{error}"))));
                continue;
            }
        };
        // Locks ≤ 1.1 list the files of every locked version of a name together.
        if wheel.name != package.name || wheel.version != package.version {
            continue;
        }
        let Some(priority) = tags.priority(&wheel) else {
            rejected.push((filename.to_string(), Err(wheel)));
            continue;
        };
        let better = match &best {
            None => true,
            Some((best_priority, best_wheel, _, _)) => {
                priority < *best_priority
                    || (priority == *best_priority && wheel.build > best_wheel.build)
            }
        };
        if better {
            best = Some((priority, wheel, filename, file));
        }
    }

    let Some((_, filename, file, locked)) = best else {
        let mut rejected: Vec<(String, String)> = rejected
            .into_iter()
            .map(|(file, why)| {
                (
                    file,
                    why.unwrap_or_else(|wheel| tags.incompatibility(&wheel)),
                )
            })
            .collect();
        if rejected.is_empty() && !sdists.is_empty() {
            return Err(needs_build(&format!(
                "the lock has only an sdist for it ({})",
                sdists.join(", ")
            )));
        }
        for sdist in sdists {
            rejected.push((
                sdist.to_string(),
                "an sdist: building from source is not supported yet".to_string(),
            ));
        }
        return Err(ArtifactError::NoCompatibleWheel {
            package: name,
            version,
            rejected,
        });
    };
    let hash = if locked.hash.algorithm.is_verifiable() {
        Some(locked.hash.clone())
    } else if policy.allow_unhashed {
        None
    } else {
        return Err(ArtifactError::Unhashed {
            package: name,
            version,
        });
    };
    Ok(Artifact::Wheel {
        filename,
        file: file.to_string(),
        hash,
    })
}

fn is_sdist(filename: &str) -> bool {
    [".tar.gz", ".zip", ".tar.bz2", ".tar.xz", ".tgz", ".tar"]
        .iter()
        .any(|ext| filename.ends_with(ext))
}
