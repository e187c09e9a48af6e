//! Checks an installed distribution against its own RECORD: every listed file must exist
//! and, where RECORD gives a hash, still have it. This is what `verse check` reports as
//! "changed since install".

use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::paths::resolve_record_path;
use super::record;
use super::{InstallError, InstalledDistribution};
use crate::venv::Venv;

/// One file that does not match its RECORD row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileProblem {
    /// The path as RECORD writes it.
    pub path: String,
    pub kind: FileProblemKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileProblemKind {
    Missing,
    Modified {
        expected: String,
        actual: String,
    },
    /// A RECORD row pointing outside the venv (never written by verse or pip).
    OutsideVenv,
}

/// The outcome of checking one distribution.
#[derive(Clone, Debug, Default)]
pub struct Verified {
    /// Files whose hash was checked.
    pub files: usize,
    pub problems: Vec<FileProblem>,
}

pub fn verify(venv: &Venv, dist: &InstalledDistribution) -> Result<Verified, InstallError> {
    let record_path = dist.dist_info.join("RECORD");
    let io_error = |source: std::io::Error| InstallError::Io {
        filename: record_path.display().to_string(),
        source,
    };
    let text = fs_err::read_to_string(&record_path).map_err(io_error)?;
    let rows = record::parse(&text).map_err(|message| InstallError::InvalidMetadata {
        path: record_path.clone(),
        message,
    })?;
    let base = dist.dist_info.parent().unwrap_or(Path::new("/"));
    let mut verified = Verified::default();
    for row in rows {
        let Some(path) = row.first().filter(|p| !p.is_empty()) else {
            continue;
        };
        let hash = row.get(1).map(String::as_str).unwrap_or_default();
        let file = resolve_record_path(path, base);
        if !file.starts_with(&venv.root) {
            verified.problems.push(FileProblem {
                path: path.clone(),
                kind: FileProblemKind::OutsideVenv,
            });
            continue;
        }
        if hash.is_empty() {
            // RECORD's own row and bytecode carry no hash; nothing to compare.
            continue;
        }
        let Some(expected) = hash.strip_prefix("sha256=") else {
            continue;
        };
        match sha256_of(&file) {
            Ok(actual) => {
                verified.files += 1;
                if actual != expected {
                    verified.problems.push(FileProblem {
                        path: path.clone(),
                        kind: FileProblemKind::Modified {
                            expected: expected.to_string(),
                            actual,
                        },
                    });
                }
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                verified.problems.push(FileProblem {
                    path: path.clone(),
                    kind: FileProblemKind::Missing,
                })
            }
            Err(source) => {
                return Err(InstallError::Io {
                    filename: file.display().to_string(),
                    source,
                })
            }
        }
    }
    Ok(verified)
}

/// The RECORD form (urlsafe base64, no padding) of a file's sha256, read in chunks.
fn sha256_of(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    Ok(record::encode_digest(&hasher.finalize()))
}
