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

// Provisional until the "install" branch lands; the signatures are the contract.
use std::path::Path;

use crate::lock::RootPackage;
use crate::packaging::WheelFilename;
use crate::venv::Venv;

#[derive(Clone, Debug, Default)]
pub struct WheelOptions {
    pub requested: bool,
    pub direct_url: Option<String>,
}

#[derive(Clone, Debug)]
pub struct EditableProject {
    pub name: PackageName,
    pub version: String,
    pub root: PathBuf,
    pub package: RootPackage,
}

pub fn installed(venv: &Venv) -> Result<Vec<InstalledDistribution>, InstallError> {
    let _ = venv;
    Ok(Vec::new())
}

pub fn install_wheel(
    venv: &Venv,
    wheel: &Path,
    filename: &WheelFilename,
    options: &WheelOptions,
) -> Result<InstalledDistribution, InstallError> {
    let _ = (venv, wheel, options);
    Err(InstallError::InvalidWheel {
        filename: filename.name.to_string(),
        message: "not written yet".into(),
    })
}

pub fn uninstall(venv: &Venv, dist: &InstalledDistribution) -> Result<(), InstallError> {
    let _ = (venv, dist);
    Ok(())
}

pub fn install_editable(
    venv: &Venv,
    project: &EditableProject,
) -> Result<InstalledDistribution, InstallError> {
    let _ = venv;
    Err(InstallError::InvalidWheel {
        filename: project.name.to_string(),
        message: "not written yet".into(),
    })
}
