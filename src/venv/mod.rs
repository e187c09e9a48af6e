//! The virtual environment: creates one the way `python -m venv --without-pip` does
//! (pyvenv.cfg, `bin/python*` links, site-packages, activation scripts), or opens an existing
//! one and checks that its interpreter is the target.
//!
//! OWNER: helper "install" fills this in; the types are the contract.

use std::path::{Path, PathBuf};

use crate::target::Target;

/// An existing virtual environment, with absolute install paths.
#[derive(Clone, Debug)]
pub struct Venv {
    pub root: PathBuf,
    /// `<root>/bin/python`, unresolved: what shebangs point at.
    pub python: PathBuf,
    pub purelib: PathBuf,
    pub platlib: PathBuf,
    pub scripts: PathBuf,
    pub include: PathBuf,
    pub data: PathBuf,
    /// (major, minor) of its interpreter.
    pub python_version: (u64, u64),
}

#[derive(Debug, thiserror::Error)]
pub enum VenvError {
    #[error("cannot create the virtual environment at {path}")]
    Create {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} exists but is not a virtual environment (no pyvenv.cfg)")]
    NotAVenv { path: PathBuf },
    #[error("the virtual environment at {path} is for Python {found}, not {wanted}")]
    WrongPython {
        path: PathBuf,
        found: String,
        wanted: String,
    },
}

/// Creates a new venv at `root` for `target` (whose base interpreter it links to).
pub fn create(root: &Path, target: &Target) -> Result<Venv, VenvError> {
    let _ = target;
    Err(VenvError::NotAVenv {
        path: root.to_path_buf(),
    })
}

/// Opens the venv at `root`, checking it was made for `target`'s Python version.
pub fn open(root: &Path, target: &Target) -> Result<Venv, VenvError> {
    let _ = target;
    Err(VenvError::NotAVenv {
        path: root.to_path_buf(),
    })
}

/// Provisional until the "install" branch lands.
pub fn interpreter(root: &Path) -> Option<PathBuf> {
    let python = root.join("bin").join("python");
    python.exists().then_some(python)
}
