//! The probe cache: an interpreter's probe answer kept in
//! `<cache>/interpreter-v1/<digest of the interpreter's path>.json`, so a re-run (a no-op
//! install above all) does not start Python at all.
//!
//! An answer is reused only while everything it depends on is unchanged: the path as given,
//! the canonical executable's path, size and mtime (a reinstalled or upgraded Python), the
//! `pyvenv.cfg` beside a venv's interpreter (a venv re-made in place), the kernel's release
//! and version (the `platform_release`/`platform_version` markers), `/etc/ld.so.cache`
//! (rewritten when system libraries, glibc among them, change) and the probe script itself.
//! A glibc swapped without `ldconfig` running, or a `_manylinux` module added to an
//! unchanged interpreter, would go unnoticed: `--no-cache` probes afresh.
//!
//! Not done here: the probe itself (`mod.rs`). Failures are never cached.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{probe_answer, target_from_answer, ProbeError, Target, PROBE_SCRIPT};

/// What an answer was given for.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Key {
    python: PathBuf,
    executable: PathBuf,
    size: u64,
    mtime_ns: i128,
    pyvenv_cfg: Option<(u64, i128)>,
    kernel: String,
    ld_so_cache: Option<(u64, i128)>,
    script: String,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    key: Key,
    answer: String,
}

/// Probes `python` (an absolute path), reusing a cached answer under `cache_root` while it
/// is still valid, and caching a fresh one if `store` (not for `--dry-run`, which writes
/// nothing). With no cache root, or a relative path, this is [`super::probe`].
pub fn probe_cached(
    python: &Path,
    cache_root: Option<&Path>,
    store: bool,
) -> Result<Target, ProbeError> {
    let Some((file, key)) = cache_root
        .filter(|_| python.is_absolute())
        .and_then(|root| Some((entry_path(root, python), key(python)?)))
    else {
        return super::probe(python);
    };
    if let Some(target) = read(&file, &key, python) {
        return Ok(target);
    }
    let (target, answer) = probe_answer(python)?;
    if let Some(answer) = String::from_utf8(answer).ok().filter(|_| store) {
        // Best effort: a read-only or full cache only costs the next run a probe.
        let _ = write(&file, &Entry { key, answer });
    }
    Ok(target)
}

fn entry_path(root: &Path, python: &Path) -> PathBuf {
    let digest = Sha256::digest(python.as_os_str().as_encoded_bytes());
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    root.join("interpreter-v1").join(format!("{hex}.json"))
}

fn stat(path: &Path) -> Option<(u64, i128)> {
    let meta = std::fs::metadata(path).ok()?;
    let mtime = meta.modified().ok()?;
    let ns = match mtime.duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    };
    Some((meta.len(), ns))
}

fn key(python: &Path) -> Option<Key> {
    let executable = std::fs::canonicalize(python).ok()?;
    let (size, mtime_ns) = stat(&executable)?;
    let pyvenv_cfg = python
        .parent()
        .and_then(Path::parent)
        .and_then(|venv| stat(&venv.join("pyvenv.cfg")));
    let kernel = ["osrelease", "version"]
        .iter()
        .map(|f| std::fs::read_to_string(format!("/proc/sys/kernel/{f}")).unwrap_or_default())
        .collect::<Vec<_>>()
        .join("|");
    let script = Sha256::digest(PROBE_SCRIPT.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Some(Key {
        python: python.to_path_buf(),
        executable,
        size,
        mtime_ns,
        pyvenv_cfg,
        kernel,
        ld_so_cache: stat(Path::new("/etc/ld.so.cache")),
        script,
    })
}

fn read(file: &Path, key: &Key, python: &Path) -> Option<Target> {
    let bytes = std::fs::read(file).ok()?;
    let entry: Entry = serde_json::from_slice(&bytes).ok()?;
    if &entry.key != key {
        return None;
    }
    target_from_answer(python, entry.answer.as_bytes())
}

/// Written to a temporary file and renamed: concurrent runs never read a partial entry.
fn write(file: &Path, entry: &Entry) -> std::io::Result<()> {
    let dir = file.parent().unwrap_or(Path::new("."));
    fs_err::create_dir_all(dir)?;
    let mut temp = tempfile::NamedTempFile::new_in(dir)?;
    // One write: serde_json writes each token separately to an unbuffered file.
    let json = serde_json::to_vec(entry).map_err(std::io::Error::other)?;
    std::io::Write::write_all(&mut temp, &json)?;
    temp.persist(file).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn python3() -> PathBuf {
        let out = std::process::Command::new("python3")
            .args(["-c", "import sys; print(sys.executable)"])
            .output()
            .unwrap();
        PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
    }

    #[test]
    fn a_cached_answer_is_reused_until_the_interpreter_changes() {
        let dir = tempfile::tempdir().unwrap();
        // A copy of the interpreter we can "upgrade" by touching it.
        let bin = dir.path().join("bin");
        fs_err::create_dir_all(&bin).unwrap();
        let python = bin.join("python3");
        std::os::unix::fs::symlink(python3(), &python).unwrap();
        let cache = dir.path().join("cache");

        let fresh = probe_cached(&python, Some(&cache), true).unwrap();
        let file = entry_path(&cache, &python);
        assert!(file.is_file());
        // Proof of reuse: a cached answer that says something else is believed.
        let mut entry: Entry = serde_json::from_slice(&fs_err::read(&file).unwrap()).unwrap();
        entry.answer = entry
            .answer
            .replace(&format!("\"{}\"", fresh.full_version), "\"3.11.999\"");
        write(&file, &entry).unwrap();
        let cached = probe_cached(&python, Some(&cache), true).unwrap();
        assert_eq!(cached.full_version, "3.11.999");
        assert_eq!(cached.executable, fresh.executable);

        // Another interpreter behind the same path: probed again.
        entry.key.mtime_ns += 1;
        write(&file, &entry).unwrap();
        let again = probe_cached(&python, Some(&cache), true).unwrap();
        assert_eq!(again.full_version, fresh.full_version);
    }

    #[test]
    fn without_a_cache_or_with_a_broken_entry_it_probes() {
        let dir = tempfile::tempdir().unwrap();
        let python = python3();
        let cache = dir.path().join("cache");
        let file = entry_path(&cache, &python);
        fs_err::create_dir_all(file.parent().unwrap()).unwrap();
        fs_err::write(&file, b"{not json").unwrap();
        let target = probe_cached(&python, Some(&cache), true).unwrap();
        let plain = probe_cached(&python, None, true).unwrap();
        // Without `store` (a dry run) nothing is written.
        let other = tempfile::tempdir().unwrap();
        probe_cached(&python, Some(other.path()), false).unwrap();
        assert_eq!(fs_err::read_dir(other.path()).unwrap().count(), 0);
        assert_eq!(target.full_version, plain.full_version);
        // The broken entry was replaced by a good one.
        let entry: Entry = serde_json::from_slice(&fs_err::read(&file).unwrap()).unwrap();
        assert_eq!(entry.key.python, python);
    }
}
