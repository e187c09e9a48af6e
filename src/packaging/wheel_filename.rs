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

/// A file name that is not a valid wheel filename.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("`{filename}` is not a valid wheel filename: {reason}")]
pub struct WheelFilenameError {
    pub filename: String,
    pub reason: String,
}

// Provisional until the "target" branch lands; the signatures are the contract.
impl std::str::FromStr for WheelFilename {
    type Err = WheelFilenameError;

    fn from_str(filename: &str) -> Result<Self, Self::Err> {
        let error = |reason: &str| WheelFilenameError {
            filename: filename.to_string(),
            reason: reason.to_string(),
        };
        let stem = filename
            .strip_suffix(".whl")
            .ok_or_else(|| error("it does not end in .whl"))?;
        let parts: Vec<&str> = stem.split('-').collect();
        let (name, version, build, py, abi, plat) = match parts.as_slice() {
            [n, v, p, a, pl] => (*n, *v, None, *p, *a, *pl),
            [n, v, b, p, a, pl] => (*n, *v, Some(*b), *p, *a, *pl),
            _ => return Err(error("it does not have 5 or 6 dash-separated parts")),
        };
        let name = PackageName::new(name.to_string()).map_err(|e| error(&e.to_string()))?;
        let version: Version = version.parse().map_err(|_| error("bad version"))?;
        let build = match build {
            None => None,
            Some(b) => {
                let digits: String = b.chars().take_while(char::is_ascii_digit).collect();
                let number = digits.parse().map_err(|_| error("bad build tag"))?;
                Some((number, b[digits.len()..].to_string()))
            }
        };
        let split = |s: &str| s.split('.').map(str::to_string).collect();
        Ok(WheelFilename {
            name,
            version,
            build,
            python_tags: split(py),
            abi_tags: split(abi),
            platform_tags: split(plat),
        })
    }
}
