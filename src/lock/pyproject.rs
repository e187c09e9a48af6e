//! `pyproject.toml`, both styles. OWNER: helper "lock".

use std::path::Path;

use super::{LockError, Project};

pub fn read(project_dir: &Path) -> Result<Project, LockError> {
    let path = project_dir.join("pyproject.toml");
    Err(LockError::Invalid {
        path,
        message: "pyproject reading is not written yet".into(),
    })
}
