//! The interpreter verse installs for. It is run once with an embedded probe script; the
//! answer gives the PEP 508 marker environment, the compatibility tags in priority order,
//! the layout of a venv made from it, and whether it already is a venv.
//!
//! OWNER: helper "target" fills in `probe`; the types are the contract.

use std::path::{Path, PathBuf};

use crate::packaging::{MarkerEnvironment, Tags};

/// A probed interpreter.
#[derive(Clone, Debug)]
pub struct Target {
    /// The interpreter as invoked (`sys.executable`), unresolved.
    pub executable: PathBuf,
    /// The base interpreter a new venv should link to (`sys._base_executable`, for a venv's
    /// interpreter the base installation's binary).
    pub base_executable: PathBuf,
    /// `sys.prefix` and `sys.base_prefix`; they differ inside a venv.
    pub prefix: PathBuf,
    pub base_prefix: PathBuf,
    /// (major, minor, micro) of the interpreter.
    pub version: (u64, u64, u64),
    /// `python_full_version` as the marker environment has it (e.g. `3.11.7`).
    pub full_version: String,
    /// `sys.implementation.name` (`cpython`, `pypy`, ...).
    pub implementation: String,
    pub markers: MarkerEnvironment,
    pub tags: Tags,
    /// Install paths of a venv made from this interpreter, relative to the venv root.
    pub venv_layout: VenvLayout,
    /// glibc or musl version, for manylinux/musllinux tags.
    pub libc: Libc,
}

/// Where things go inside a venv, relative to its root (from sysconfig's `venv` scheme).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VenvLayout {
    pub purelib: PathBuf,
    pub platlib: PathBuf,
    pub scripts: PathBuf,
    /// Headers go to `<include>/<distribution name>/`; pip uses `include/site/pythonX.Y`.
    pub include: PathBuf,
    /// `.data/data` goes here; the venv root itself, i.e. empty.
    pub data: PathBuf,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Libc {
    Glibc {
        major: u32,
        minor: u32,
    },
    Musl {
        major: u32,
        minor: u32,
    },
    /// Not Linux, or neither libc was found.
    Unknown,
}

#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("cannot run the Python interpreter `{python}`")]
    Spawn {
        python: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the Python interpreter `{python}` failed to describe itself: {detail}")]
    Failed { python: PathBuf, detail: String },
}

/// Runs `python` once and describes it.
pub fn probe(python: &Path) -> Result<Target, ProbeError> {
    Err(ProbeError::Failed {
        python: python.to_path_buf(),
        detail: "the probe is not written yet".into(),
    })
}
