//! One verse at a time per venv: an exclusive advisory lock (flock) held from reading what is
//! installed until the install ends, so two processes on one venv serialize instead of
//! interleaving their changes. The lock file lives in verse's cache (never in the venv, which
//! must stay exactly what pip would leave), named by the venv's absolute path.

use std::fs::{File, TryLockError};
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::report::Printer;

/// Held for as long as the returned file is alive.
pub struct VenvLock {
    _file: File,
}

/// Takes the lock for `venv`, waiting (and saying so) if another process holds it.
pub fn lock(lock_dir: &Path, venv: &Path, printer: &Printer) -> Result<VenvLock, Error> {
    let failed = |e: std::io::Error| {
        Error::failure(format!("cannot lock the virtualenv {}", venv.display()))
            .with_source(e)
            .with_hint("pass --cache-dir with a writable directory (the lock lives there)")
    };
    fs_err::create_dir_all(lock_dir).map_err(failed)?;
    let digest = Sha256::digest(venv.as_os_str().as_encoded_bytes());
    let name = format!(
        "venv-{}.lock",
        crate::packaging::hash::to_hex(&digest[..12])
    );
    let file = fs_err::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock_dir.join(name))
        .map_err(failed)?
        .into_parts()
        .0;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            printer.info(format!(
                "Waiting for another verse process working on {}",
                venv.display()
            ));
            file.lock().map_err(failed)?;
        }
        Err(TryLockError::Error(e)) => return Err(failed(e)),
    }
    Ok(VenvLock { _file: file })
}
