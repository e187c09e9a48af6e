//! The vocabulary of the Python packaging specs that every stage speaks: normalized names,
//! versions and markers (from `pep440_rs` / `pep508_rs`), wheel filenames and compatibility
//! tags, file hashes, and Poetry's own version-constraint syntax.
//!
//! Pure: no files, network or processes, and nothing else from this crate.

pub mod hash;
pub mod name;
pub mod pep508;
pub mod poetry_constraint;
pub mod tags;
pub mod wheel_filename;

pub use hash::{FileHash, HashAlgorithm};
pub use name::{is_valid_name, normalize, GroupName, NAME_RULE};
pub use pep440_rs::{Version, VersionSpecifiers};
pub use pep508_rs::{
    ExtraName, MarkerEnvironment, MarkerEnvironmentBuilder, MarkerTree, PackageName,
};
pub use tags::{Tag, Tags};
pub use wheel_filename::WheelFilename;
