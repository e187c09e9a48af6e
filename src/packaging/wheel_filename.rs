//! Wheel filenames (`{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`).
//! OWNER: helper "target" fills this in.

use super::{PackageName, Version};

/// A parsed wheel filename. Tag fields keep the compressed sets expanded (`py2.py3` → two).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WheelFilename {
    pub name: PackageName,
    pub version: Version,
    /// Build tag, compared as (number, rest) per the wheel spec.
    pub build: Option<(u64, String)>,
    pub python_tags: Vec<String>,
    pub abi_tags: Vec<String>,
    pub platform_tags: Vec<String>,
}
