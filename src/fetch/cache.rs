//! The content-addressed store of verified wheels: `<root>/wheels-v1/<algorithm>/<xx>/<digest>.whl`.
//!
//! A file enters it only by an atomic rename after its digest matched, so the store never
//! holds a partial or unverified file and concurrent verse processes can share it (two that
//! store the same digest write the same bytes; the second rename is harmless).

use std::path::{Path, PathBuf};

use tempfile::{NamedTempFile, TempDir, TempPath};

use crate::packaging::FileHash;

pub struct Cache {
    root: PathBuf,
    /// Files downloaded without a locked hash live here for this run only.
    run_dir: TempDir,
    /// Set for `--no-cache`: the whole cache is removed when the run ends.
    _temporary_root: Option<TempDir>,
}

impl Cache {
    /// Opens (creating if needed) the cache at `root`.
    pub fn open(root: &Path) -> std::io::Result<Self> {
        fs_err::create_dir_all(root.join("wheels-v1"))?;
        fs_err::create_dir_all(root.join("tmp"))?;
        let tag = root.join("CACHEDIR.TAG");
        if !tag.exists() {
            // Tells backup tools to skip the cache (https://bford.info/cachedir/).
            let _ = fs_err::write(
                &tag,
                "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by verse.\n",
            );
        }
        let run_dir = tempfile::Builder::new()
            .prefix("run-")
            .tempdir_in(root.join("tmp"))?;
        Ok(Cache {
            root: root.to_path_buf(),
            run_dir,
            _temporary_root: None,
        })
    }

    /// A cache in a temporary directory, deleted when dropped (`--no-cache`).
    pub fn temporary() -> std::io::Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("verse-nocache-")
            .tempdir()?;
        let mut cache = Cache::open(dir.path())?;
        cache._temporary_root = Some(dir);
        Ok(cache)
    }

    /// The default location: `$XDG_CACHE_HOME/verse`, else `~/.cache/verse`.
    pub fn default_root() -> Option<PathBuf> {
        if let Some(xdg) = std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
            return Some(PathBuf::from(xdg).join("verse"));
        }
        std::env::var_os("HOME")
            .filter(|v| !v.is_empty())
            .map(|home| PathBuf::from(home).join(".cache").join("verse"))
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path_of(&self, hash: &FileHash) -> PathBuf {
        self.root
            .join("wheels-v1")
            .join(hash.algorithm.as_str())
            .join(&hash.hex[..2])
            .join(format!("{}.whl", hash.hex))
    }

    /// The directory of the unpacked tree of the wheel with this digest (present or not).
    /// v2: trees whose every member was checked against the wheel's RECORD (v1 trees were
    /// not, so they are not trusted).
    pub fn unpacked_dir(&self, hash: &FileHash) -> PathBuf {
        self.root
            .join("unpacked-v2")
            .join(hash.algorithm.as_str())
            .join(&hash.hex)
    }

    /// A directory on the cache's filesystem for building entries that are then renamed in.
    pub fn tmp_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }

    /// Whether this cache is thrown away at the end of the run (`--no-cache`).
    pub fn is_temporary(&self) -> bool {
        self._temporary_root.is_some()
    }

    /// The stored file with this digest, if present.
    pub fn lookup(&self, hash: &FileHash) -> Option<PathBuf> {
        let path = self.path_of(hash);
        path.is_file().then_some(path)
    }

    /// A new temporary file on the cache's filesystem, so storing it is a rename.
    pub fn temp_file(&self) -> std::io::Result<NamedTempFile> {
        tempfile::Builder::new()
            .prefix("download-")
            .tempfile_in(self.root.join("tmp"))
    }

    /// Moves a verified download into the store.
    pub fn store(&self, temp: TempPath, hash: &FileHash) -> std::io::Result<PathBuf> {
        let path = self.path_of(hash);
        if let Some(parent) = path.parent() {
            fs_err::create_dir_all(parent)?;
        }
        temp.persist(&path).map_err(|e| e.error)?;
        Ok(path)
    }

    /// Keeps an unverified download for this run only, outside the store.
    pub fn store_unverified(&self, temp: TempPath, file: &str) -> std::io::Result<PathBuf> {
        let name = Path::new(file)
            .file_name()
            .map_or_else(|| "download.whl".into(), |n| n.to_os_string());
        let path = self.run_dir.path().join(name);
        temp.persist(&path).map_err(|e| e.error)?;
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn stores_by_digest_and_finds_it_again() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        let hash: FileHash = format!("sha256:{}", "ab".repeat(32)).parse().unwrap();
        assert!(cache.lookup(&hash).is_none());
        let mut temp = cache.temp_file().unwrap();
        temp.write_all(b"wheel bytes").unwrap();
        let stored = cache.store(temp.into_temp_path(), &hash).unwrap();
        assert_eq!(cache.lookup(&hash), Some(stored.clone()));
        assert_eq!(std::fs::read(stored).unwrap(), b"wheel bytes");
        // Nothing is left behind in the temporary area but this run's own directory.
        let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("tmp"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with("run-"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }
}
