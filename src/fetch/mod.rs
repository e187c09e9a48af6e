//! Gets every planned wheel onto local disk with its hash verified against the lock.
//!
//! Downloads stream into a temporary file beside the cache while the digest is computed; a
//! file becomes a [`FetchedWheel`] only after its digest matched, and only then is it renamed
//! into the content-addressed [`cache`]. A cached file was verified when it was stored, so a
//! cache hit needs no network at all. Only this module constructs a `FetchedWheel`, so the
//! install stage cannot be handed unverified bytes (unless the user allowed unhashed files).
//!
//! A local file (`--find-links`, a `file://` index) takes the same road: it is copied into
//! the cache while being hashed, so a local file that does not match the lock is refused just
//! like a download, and a later run finds it in the cache. No network is involved.

pub mod cache;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;

use crate::http::{is_transient_error, is_transient_status, redact, retry_after, Failure, Http};
use crate::locate::{describe_reqwest, with_credentials, Located};
use crate::packaging::hash::Hasher;
use crate::packaging::{FileHash, HashAlgorithm, PackageName, Version, WheelFilename};
use crate::plan::{Artifact, Direct, PlannedPackage};
pub use cache::Cache;

/// A wheel on local disk whose content matches the lock.
#[derive(Debug, Clone)]
pub struct FetchedWheel {
    name: PackageName,
    version: Version,
    filename: WheelFilename,
    path: PathBuf,
    size: u64,
    from_cache: bool,
    /// The digest it was verified against (and is stored under); `None` for an unhashed file.
    hash: Option<FileHash>,
}

impl FetchedWheel {
    pub fn name(&self) -> &PackageName {
        &self.name
    }
    pub fn version(&self) -> &Version {
        &self.version
    }
    pub fn filename(&self) -> &WheelFilename {
        &self.filename
    }
    pub fn path(&self) -> &Path {
        &self.path
    }
    pub fn size(&self) -> u64 {
        self.size
    }
    pub fn from_cache(&self) -> bool {
        self.from_cache
    }
    /// The digest the file was verified against, if it had one: the key of its cache entries.
    pub fn hash(&self) -> Option<&FileHash> {
        self.hash.as_ref()
    }
}

/// A source archive (an sdist) on local disk whose content matches the lock, to be built.
#[derive(Debug, Clone)]
pub struct FetchedArchive {
    name: PackageName,
    version: Version,
    /// The file name, as the lock gives it.
    file: String,
    path: PathBuf,
    size: u64,
    from_cache: bool,
    hash: Option<FileHash>,
}

impl FetchedArchive {
    pub fn name(&self) -> &PackageName {
        &self.name
    }
    pub fn version(&self) -> &Version {
        &self.version
    }
    pub fn file(&self) -> &str {
        &self.file
    }
    pub fn path(&self) -> &Path {
        &self.path
    }
    /// The digest it was verified against: the key of the wheel built from it.
    pub fn hash(&self) -> Option<&FileHash> {
        self.hash.as_ref()
    }
}

/// What fetching a planned file gives: a wheel to install, or an archive to build first.
#[derive(Debug, Clone)]
pub enum Fetched {
    Wheel(FetchedWheel),
    Archive(FetchedArchive),
}

impl Fetched {
    pub fn name(&self) -> &PackageName {
        match self {
            Fetched::Wheel(wheel) => wheel.name(),
            Fetched::Archive(archive) => archive.name(),
        }
    }
    pub fn path(&self) -> &Path {
        match self {
            Fetched::Wheel(wheel) => wheel.path(),
            Fetched::Archive(archive) => archive.path(),
        }
    }
    pub fn hash(&self) -> Option<&FileHash> {
        match self {
            Fetched::Wheel(wheel) => wheel.hash(),
            Fetched::Archive(archive) => archive.hash(),
        }
    }
    pub fn from_cache(&self) -> bool {
        match self {
            Fetched::Wheel(wheel) => wheel.from_cache(),
            Fetched::Archive(archive) => archive.from_cache,
        }
    }
    pub fn size(&self) -> u64 {
        match self {
            Fetched::Wheel(wheel) => wheel.size(),
            Fetched::Archive(archive) => archive.size,
        }
    }
}

/// A wheel verse built itself from a verified archive, a directory or a git commit. `hash`
/// is the built wheel's own digest (the key of its unpacked tree), not a locked one: what
/// makes it trustworthy is the source it was built from. `None` for a wheel that is not
/// kept (a build from a directory): it is unzipped straight into the venv.
pub fn built_wheel(
    name: PackageName,
    version: Version,
    filename: WheelFilename,
    path: PathBuf,
    hash: Option<FileHash>,
) -> FetchedWheel {
    let size = path.metadata().map_or(0, |m| m.len());
    FetchedWheel {
        name,
        version,
        filename,
        path,
        size,
        from_cache: false,
        hash,
    }
}

/// Download progress, implemented by the report stage.
pub trait Reporter: Send + Sync {
    fn download_started(&self, file: &str, size: Option<u64>);
    fn download_progress(&self, file: &str, bytes: u64);
    fn download_finished(&self, file: &str);
}

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{file} from {url} does not match the lock: expected {expected}, got {actual}")]
    HashMismatch {
        file: String,
        url: String,
        expected: String,
        actual: String,
    },
    #[error("cannot download {file} from {url}: {message}")]
    Download {
        file: String,
        url: String,
        message: String,
    },
    #[error("cannot download {file} from {url}: HTTP status {status}")]
    Status {
        file: String,
        url: String,
        status: u16,
    },
    #[error("cache error at {path}")]
    Cache {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The cached, verified file for `package`, if the cache holds it.
pub fn from_cache(cache: &Cache, package: &PlannedPackage) -> Option<Fetched> {
    let (file, hash) = package.artifact.hashed_file()?;
    let path = cache.lookup(hash)?;
    let size = path.metadata().ok()?.len();
    Some(match file.parse::<WheelFilename>() {
        Ok(filename) => Fetched::Wheel(FetchedWheel {
            name: package.name.clone(),
            version: package.version.clone(),
            filename,
            path,
            size,
            from_cache: true,
            hash: Some(hash.clone()),
        }),
        Err(_) => Fetched::Archive(FetchedArchive {
            name: package.name.clone(),
            version: package.version.clone(),
            file: file.to_string(),
            path,
            size,
            from_cache: true,
            hash: Some(hash.clone()),
        }),
    })
}

/// Downloads `located` for `package`, verifying it against the locked hash, retrying
/// transient failures (a fresh request each time; a failed transfer keeps nothing).
pub async fn download(
    cache: &Cache,
    package: &PlannedPackage,
    located: &Located,
    reporter: &Arc<dyn Reporter>,
) -> Result<Fetched, FetchError> {
    let expected = expected_hash(package);
    let fetched = |path, size| match &located.filename {
        Some(filename) => Fetched::Wheel(FetchedWheel {
            name: package.name.clone(),
            version: package.version.clone(),
            filename: filename.clone(),
            path,
            size,
            from_cache: false,
            hash: expected_hash(package),
        }),
        None => Fetched::Archive(FetchedArchive {
            name: package.name.clone(),
            version: package.version.clone(),
            file: located.file.clone(),
            path,
            size,
            from_cache: false,
            hash: expected_hash(package),
        }),
    };
    if let Some(local) = located.local_path() {
        let (path, size) = copy_local(cache, located, local, expected, reporter).await?;
        return Ok(fetched(path, size));
    }
    let Some(http) = &located.http else {
        return Err(FetchError::Download {
            file: located.file.clone(),
            url: redact(&located.url),
            message: "no network access (--offline)".to_string(),
        });
    };
    let (path, size) = http
        .retry(|| download_once(http, cache, located, expected.as_ref(), reporter))
        .await?;
    Ok(fetched(path, size))
}

/// Copies a local file into the cache while hashing it, and stores it only if it matches.
async fn copy_local(
    cache: &Cache,
    located: &Located,
    source: PathBuf,
    expected: Option<FileHash>,
    reporter: &Arc<dyn Reporter>,
) -> Result<(PathBuf, u64), FetchError> {
    let file = located.file.clone();
    let url = source.display().to_string();
    let temp = cache
        .temp_file()
        .map_err(|source| cache_error(cache.root(), source))?;
    let reporter_for_copy = reporter.clone();
    let algorithm = expected
        .as_ref()
        .map_or(HashAlgorithm::Sha256, |h| h.algorithm);
    let (temp, actual, size) = tokio::task::spawn_blocking({
        let (file, url) = (file.clone(), url.clone());
        let reporter = reporter_for_copy;
        move || -> Result<_, FetchError> {
            use std::io::{Read, Write};
            let failed = |e: std::io::Error| FetchError::Download {
                file: file.clone(),
                url: url.clone(),
                message: e.to_string(),
            };
            let mut reader = std::fs::File::open(&source).map_err(failed)?;
            let total = reader.metadata().map(|m| m.len()).ok();
            reporter.download_started(&file, total);
            let mut hasher = Hasher::new(algorithm).unwrap_or_else(|| {
                Hasher::new(HashAlgorithm::Sha256).expect("sha256 is always available")
            });
            let mut temp = temp;
            let mut buffer = vec![0u8; 256 * 1024];
            let mut size = 0u64;
            loop {
                let read = reader.read(&mut buffer).map_err(failed)?;
                if read == 0 {
                    break;
                }
                hasher.update(&buffer[..read]);
                temp.write_all(&buffer[..read])
                    .map_err(|source| cache_error(temp.path(), source))?;
                size += read as u64;
                reporter.download_progress(&file, read as u64);
            }
            temp.flush()
                .map_err(|source| cache_error(temp.path(), source))?;
            Ok((temp, hasher.finish(), size))
        }
    })
    .await
    .map_err(|e| FetchError::Download {
        file: file.clone(),
        url: url.clone(),
        message: format!("the copy task failed: {e}"),
    })??;
    if let Some(expected) = &expected {
        if &actual != expected {
            return Err(FetchError::HashMismatch {
                file,
                url,
                expected: expected.to_string(),
                actual: actual.to_string(),
            });
        }
    }
    let temp_path = temp.into_temp_path();
    let path = match &expected {
        Some(hash) => cache.store(temp_path, hash),
        None => cache.store_unverified(temp_path, &file),
    }
    .map_err(|source| cache_error(cache.root(), source))?;
    reporter.download_finished(&file);
    Ok((path, size))
}

/// The hash the lock gives for the planned file, if any.
pub fn expected_hash(package: &PlannedPackage) -> Option<FileHash> {
    match &package.artifact {
        Artifact::Wheel { hash, .. } | Artifact::Sdist { hash, .. } => hash.clone(),
        Artifact::Direct(Direct::File { hash, .. } | Direct::Url { hash, .. }) => hash.clone(),
        Artifact::BestFromIndex
        | Artifact::Direct(Direct::Directory { .. } | Direct::Git { .. }) => None,
    }
}

/// The size of the blocks a download is written in (tokio's file buffer holds up to 2 MiB).
const WRITE_BLOCK: usize = 1 << 20;

async fn download_once(
    http: &Http,
    cache: &Cache,
    located: &Located,
    expected: Option<&FileHash>,
    reporter: &Arc<dyn Reporter>,
) -> Result<(PathBuf, u64), Failure<FetchError>> {
    let file = located.file.clone();
    let url = redact(&located.url);
    let failed = |message: String| FetchError::Download {
        file: file.clone(),
        url: url.clone(),
        message,
    };
    let request = with_credentials(
        http.client.get(located.url.clone()),
        located.credentials.as_ref(),
    );
    let response = request.send().await.map_err(|e| {
        let error = failed(describe_reqwest(&e));
        if is_transient_error(&e) {
            Failure::Transient(error, None)
        } else {
            Failure::Fatal(error)
        }
    })?;
    let status = response.status();
    if !status.is_success() {
        let error = FetchError::Status {
            file: file.clone(),
            url: url.clone(),
            status: status.as_u16(),
        };
        return Err(if is_transient_status(status) {
            Failure::Transient(error, retry_after(&response))
        } else {
            Failure::Fatal(error)
        });
    }
    reporter.download_started(&file, response.content_length());

    let algorithm = expected.map_or(HashAlgorithm::Sha256, |h| h.algorithm);
    let mut hasher = Hasher::new(algorithm)
        .unwrap_or_else(|| Hasher::new(HashAlgorithm::Sha256).expect("sha256 is always available"));
    let (temp_file, temp_path) = cache
        .temp_file()
        .map_err(|source| Failure::Fatal(cache_error(cache.root(), source)))?
        .into_parts();
    let mut writer = tokio::fs::File::from_std(temp_file);
    let mut size: u64 = 0;
    let mut body = response.bytes_stream();
    // The body arrives in chunks of a few KiB; each write of a tokio file is a trip to the
    // blocking pool, so chunks are gathered into blocks of WRITE_BLOCK first (the memory a
    // download holds stays bounded by that, whatever the file's size).
    let mut block: Vec<u8> = Vec::with_capacity(WRITE_BLOCK);
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| Failure::Transient(failed(describe_reqwest(&e)), None))?;
        hasher.update(&chunk);
        block.extend_from_slice(&chunk);
        if block.len() >= WRITE_BLOCK {
            writer
                .write_all(&block)
                .await
                .map_err(|source| Failure::Fatal(cache_error(&temp_path, source)))?;
            block.clear();
        }
        size += chunk.len() as u64;
        reporter.download_progress(&file, chunk.len() as u64);
    }
    writer
        .write_all(&block)
        .await
        .map_err(|source| Failure::Fatal(cache_error(&temp_path, source)))?;
    writer
        .flush()
        .await
        .map_err(|source| Failure::Fatal(cache_error(&temp_path, source)))?;
    drop(writer);
    let actual = hasher.finish();
    if let Some(expected) = expected {
        if &actual != expected {
            return Err(Failure::Fatal(FetchError::HashMismatch {
                file,
                url,
                expected: expected.to_string(),
                actual: actual.to_string(),
            }));
        }
    }
    let path = match expected {
        Some(hash) => cache.store(temp_path, hash),
        // Unverified files never enter the content-addressed store.
        None => cache.store_unverified(temp_path, &file),
    }
    .map_err(|source| Failure::Fatal(cache_error(cache.root(), source)))?;
    reporter.download_finished(&file);
    Ok((path, size))
}

fn cache_error(path: &Path, source: std::io::Error) -> FetchError {
    FetchError::Cache {
        path: path.to_path_buf(),
        source,
    }
}
