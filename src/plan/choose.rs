//! Which file of a selected package to install: the best-priority compatible wheel among the
//! files the lock lists (Poetry's Chooser: locked hash, then tag priority, then build tag),
//! else the locked sdist, to be built. Directory, git, file and url sources are turned into
//! a [`Direct`] artifact with their paths resolved against the project directory.

use std::path::Path;

use super::{Artifact, ArtifactError, Direct, Policy};
use crate::lock::{LockedPackage, PackageSource};
use crate::packaging::wheel_filename::sdist_version;
use crate::packaging::{Tags, WheelFilename};

pub fn artifact(
    package: &LockedPackage,
    tags: &Tags,
    policy: Policy,
    project_root: &Path,
) -> Result<Artifact, ArtifactError> {
    let name = package.name.to_string();
    let version = package.pretty_version.clone();
    let editable = package.develop && !policy.no_editable;
    match &package.source {
        PackageSource::Pypi | PackageSource::Legacy { .. } => {}
        PackageSource::Git {
            url,
            reference,
            resolved_reference,
            subdirectory,
        } => {
            return Ok(Artifact::Direct(Direct::Git {
                url: url.clone(),
                reference: reference.clone(),
                commit: resolved_reference.clone(),
                subdirectory: subdirectory.clone(),
                editable,
            }))
        }
        PackageSource::Directory { url } => {
            return Ok(Artifact::Direct(Direct::Directory {
                path: project_root.join(url),
                editable,
            }))
        }
        PackageSource::File { url } => {
            let (file, hash) = direct_file(package, url, policy)?;
            return Ok(Artifact::Direct(Direct::File {
                path: project_root.join(url),
                file,
                hash,
            }));
        }
        PackageSource::Url { url, subdirectory } => {
            let (file, hash) = direct_file(package, url, policy)?;
            return Ok(Artifact::Direct(Direct::Url {
                url: url.clone(),
                file,
                hash,
                subdirectory: subdirectory.clone(),
            }));
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
        let rejected: Vec<(String, String)> = rejected
            .into_iter()
            .map(|(file, why)| {
                (
                    file,
                    why.unwrap_or_else(|wheel| tags.incompatibility(&wheel)),
                )
            })
            .collect();
        // Poetry's Chooser falls back to the sdist when no wheel fits.
        if let Some(sdist) = sdists.first() {
            let locked = package
                .files
                .iter()
                .find(|f| f.filename == *sdist)
                .expect("sdists come from the files");
            return Ok(Artifact::Sdist {
                file: sdist.to_string(),
                hash: verified_hash(locked, policy, &name, &version)?,
            });
        }
        return Err(ArtifactError::NoCompatibleWheel {
            package: name,
            version,
            rejected,
        });
    };
    let hash = verified_hash(locked, policy, &name, &version)?;
    Ok(Artifact::Wheel {
        filename,
        file: file.to_string(),
        hash,
    })
}

/// The hash to verify a locked file against, or why there is none.
fn verified_hash(
    locked: &crate::lock::LockedFile,
    policy: Policy,
    name: &str,
    version: &str,
) -> Result<Option<crate::packaging::FileHash>, ArtifactError> {
    if locked.hash.algorithm.is_verifiable() {
        Ok(Some(locked.hash.clone()))
    } else if policy.allow_unhashed {
        Ok(None)
    } else {
        Err(ArtifactError::Unhashed {
            package: name.to_string(),
            version: version.to_string(),
        })
    }
}

/// The file of a `file` or `url` source and its locked hash. Poetry records one file for
/// these: the one the URL or path names.
fn direct_file(
    package: &LockedPackage,
    url: &str,
    policy: Policy,
) -> Result<(String, Option<crate::packaging::FileHash>), ArtifactError> {
    let name = package.name.to_string();
    let version = package.pretty_version.clone();
    let from_url = url
        .split(['?', '#'])
        .next()
        .unwrap_or(url)
        .rsplit('/')
        .next()
        .unwrap_or(url)
        .to_string();
    let locked = package
        .files
        .iter()
        .find(|f| f.filename == from_url)
        .or_else(|| (package.files.len() == 1).then(|| &package.files[0]));
    let file = locked
        .map(|f| f.filename.clone())
        .filter(|f| !f.is_empty())
        .unwrap_or(from_url);
    if !file.ends_with(".whl") && !crate::build::sdist::is_sdist(&file) {
        return Err(ArtifactError::Unsupported {
            package: name,
            version,
            what: format!(
                "{url} is neither a wheel nor a source archive verse can unpack (.tar.gz, .zip)"
            ),
        });
    }
    let hash = match locked {
        Some(locked) => verified_hash(locked, policy, &name, &version)?,
        None if policy.allow_unhashed => None,
        None => {
            return Err(ArtifactError::Unhashed {
                package: name,
                version,
            })
        }
    };
    Ok((file, hash))
}

fn is_sdist(filename: &str) -> bool {
    [".tar.gz", ".zip", ".tar.bz2", ".tar.xz", ".tgz", ".tar"]
        .iter()
        .any(|ext| filename.ends_with(ext))
}
