//! Installs verified wheels into a venv exactly as pip does: purelib/platlib, the `.data/`
//! scheme mapping, RECORD rewritten with installed paths and hashes, INSTALLER, console and
//! gui launchers, `#!python` shebangs, executable bits. Also reads what is installed, removes
//! a distribution by its RECORD, and installs the root project editable the way Poetry does.
//!
//! OWNER: helper "install" fills this in; the types are the contract.

use std::path::PathBuf;

use crate::packaging::{PackageName, Version};

/// A distribution found in the venv's site-packages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstalledDistribution {
    pub name: PackageName,
    pub version: Version,
    /// Its `*.dist-info` directory.
    pub dist_info: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    #[error("cannot install {filename}: {message}")]
    InvalidWheel { filename: String, message: String },
    #[error("I/O error while installing {filename}")]
    Io {
        filename: String,
        #[source]
        source: std::io::Error,
    },
}
