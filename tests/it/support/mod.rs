//! The hermetic integration-test kit: wheels built on the fly ([`wheel`]), a loopback simple
//! index ([`index`]), Poetry projects with fresh locks ([`project`]) and a sandbox that runs the
//! `verse` binary and the venv's python ([`context`]).
//!
//! Every test gets its own temp dir, its own ports and no network beyond 127.0.0.1.

// Not every test module uses every helper of the kit.
#![allow(dead_code, unused_imports)]

pub mod context;
pub mod index;
pub mod project;
pub mod rawzip;
pub mod source_tree;
pub mod wheel;

pub use context::{
    installed_in, mtimes, pyenv_python, read, site_packages, tree, Output, TestContext,
};
pub use index::{dead_url, Fault, IndexServer, Request, PEP691_JSON};
pub use project::{Dep, LockFormat, Locked, Lockfile, Project, Pyproject, Style};
pub use source_tree::{git, git_repo, SourceTree};
pub use wheel::{record_hash, sdist, sha256_hex, write_dist_file, DistFile, Record, WheelBuilder};
