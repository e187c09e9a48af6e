//! Wheel filenames (`{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`), parsed
//! strictly, and the version of an sdist from its filename.
//!
//! Strict because a filename decides what gets installed: a name or version that does not
//! parse, a build tag that does not start with a digit, or anything that looks like a path
//! is an error, never a guess. This module does not decide compatibility; that is
//! [`super::Tags::priority`].

use std::fmt;
use std::str::FromStr;

use super::tags::Tag;
use super::{normalize, PackageName, Version};

/// A parsed wheel filename. Tag fields keep the compressed sets expanded (`py2.py3` → two),
/// lowercase like packaging's `Tag`.
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

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid wheel filename `{filename}`: {reason}")]
pub struct WheelFilenameError {
    pub filename: String,
    pub reason: String,
}

impl WheelFilename {
    /// Every `python-abi-platform` triple the compressed tag sets stand for.
    pub fn tags(&self) -> impl Iterator<Item = Tag> + '_ {
        self.python_tags.iter().flat_map(move |python| {
            self.abi_tags.iter().flat_map(move |abi| {
                self.platform_tags
                    .iter()
                    .map(move |platform| Tag::new(python, abi, platform))
            })
        })
    }

    /// `py3-none-any` and friends: installable everywhere the python tag fits.
    pub fn is_pure(&self) -> bool {
        self.abi_tags.iter().all(|a| a == "none") && self.platform_tags.iter().all(|p| p == "any")
    }
}

/// Whether `filename` names a wheel (by its extension only; parse it to know more).
pub fn is_wheel(filename: &str) -> bool {
    filename.ends_with(".whl")
}

/// Characters that make a "filename" a path, or unprintable. A filename comes from a lock
/// or an index page and ends up as a file name in the cache.
fn has_path_characters(filename: &str) -> bool {
    filename
        .chars()
        .any(|c| c == '/' || c == '\\' || c.is_control())
        || filename.starts_with('.')
}

impl FromStr for WheelFilename {
    type Err = WheelFilenameError;

    fn from_str(filename: &str) -> Result<Self, Self::Err> {
        let error = |reason: &str| WheelFilenameError {
            filename: filename.to_string(),
            reason: reason.to_string(),
        };
        if has_path_characters(filename) {
            return Err(error(
                "a wheel filename cannot contain a path or control characters",
            ));
        }
        let stem = filename
            .strip_suffix(".whl")
            .ok_or_else(|| error("it does not end in `.whl`"))?;
        let parts: Vec<&str> = stem.split('-').collect();
        let (name, version, build, python, abi, platform) = match parts[..] {
            [name, version, python, abi, platform] => (name, version, None, python, abi, platform),
            [name, version, build, python, abi, platform] => {
                (name, version, Some(build), python, abi, platform)
            }
            _ => {
                return Err(error(
                    "expected 5 or 6 dash-separated parts: \
                     name-version(-build)-python-abi-platform",
                ))
            }
        };

        // The spec escapes runs of `-_.` in the name as `_`; only word characters remain.
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        {
            return Err(error(&format!("`{name}` is not a valid distribution name")));
        }
        let name = PackageName::from_str(name)
            .map_err(|e| error(&format!("`{name}` is not a valid distribution name: {e}")))?;
        let version = Version::from_str(version)
            .map_err(|e| error(&format!("`{version}` is not a valid version: {e}")))?;
        let build = match build {
            None => None,
            Some(build) => Some(parse_build_tag(build).ok_or_else(|| {
                error(&format!(
                    "build tag `{build}` must start with a digit and contain only letters, \
                     digits, `_` and `.`"
                ))
            })?),
        };
        Ok(WheelFilename {
            name,
            version,
            build,
            python_tags: tag_set(python, true)
                .ok_or_else(|| error(&format!("`{python}` is not a valid python tag set")))?,
            abi_tags: tag_set(abi, false)
                .ok_or_else(|| error(&format!("`{abi}` is not a valid ABI tag set")))?,
            platform_tags: tag_set(platform, false)
                .ok_or_else(|| error(&format!("`{platform}` is not a valid platform tag set")))?,
        })
    }
}

/// `1`, `1a`, `20231104_bugfix` → `(number, rest)`. A `.` is accepted because setuptools
/// names its PEP 660 wheels `name-1.0-0.editable-py3-none-any.whl` and pip installs them (its
/// own pattern is `\d[^-]*`).
fn parse_build_tag(build: &str) -> Option<(u64, String)> {
    let digits = build.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0
        || !build
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
    {
        return None;
    }
    let number = build[..digits].parse().ok()?;
    Some((number, build[digits..].to_string()))
}

/// `py2.py3` → `["py2", "py3"]`, lowercase. Python tags must be identifiers (packaging 26.3
/// `InvalidTag`); every member must be non-empty word characters.
fn tag_set(set: &str, identifier: bool) -> Option<Vec<String>> {
    let tags: Vec<String> = set.split('.').map(str::to_ascii_lowercase).collect();
    let valid = tags.iter().all(|tag| {
        !tag.is_empty()
            && tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && !(identifier && tag.as_bytes()[0].is_ascii_digit())
    });
    valid.then_some(tags)
}

impl fmt::Display for WheelFilename {
    /// The canonical filename: escaped normalized name, normalized version, lowercase tags.
    /// It can differ in spelling from the filename that was parsed; keep the original string
    /// where the exact bytes matter (URLs, hashes in a lock).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.name.as_dist_info_name(), self.version)?;
        if let Some((number, rest)) = &self.build {
            write!(f, "-{number}{rest}")?;
        }
        write!(
            f,
            "-{}-{}-{}.whl",
            self.python_tags.join("."),
            self.abi_tags.join("."),
            self.platform_tags.join(".")
        )
    }
}

/// The version of an sdist (`.tar.gz` or `.zip`) of `name`, from its filename:
/// `Foo_Bar-1.0.tar.gz` → `1.0` for `foo-bar`. `None` if the filename is not an sdist of
/// that package or the version does not parse.
///
/// Unlike `packaging.utils.parse_sdist_filename` (which splits at the last `-`), the name is
/// matched as a prefix, so legacy sdists whose name contains dashes still work.
pub fn sdist_version(filename: &str, name: &PackageName) -> Option<Version> {
    if has_path_characters(filename) {
        return None;
    }
    let stem = filename
        .strip_suffix(".tar.gz")
        .or_else(|| filename.strip_suffix(".zip"))?;
    stem.match_indices('-').find_map(|(index, _)| {
        let (candidate, version) = (&stem[..index], &stem[index + 1..]);
        if normalize(candidate) != name.as_ref() {
            return None;
        }
        Version::from_str(version).ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> WheelFilename {
        s.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn parses_five_and_six_parts() {
        let w = parse("Foo.Bar_baz-1.0.post1-py2.py3-none-any.whl");
        assert_eq!(w.name.as_ref(), "foo-bar-baz");
        assert_eq!(w.version, Version::from_str("1.0.post1").unwrap());
        assert_eq!(w.build, None);
        assert_eq!(w.python_tags, ["py2", "py3"]);
        assert_eq!(w.abi_tags, ["none"]);
        assert_eq!(w.platform_tags, ["any"]);
        assert!(w.is_pure());
        assert_eq!(w.to_string(), "foo_bar_baz-1.0.post1-py2.py3-none-any.whl");

        let w =
            parse("numpy-2.1.0-1_fix-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl");
        assert_eq!(w.build, Some((1, "_fix".to_string())));
        assert_eq!(w.platform_tags.len(), 2);
        assert_eq!(w.tags().count(), 2);
        assert!(!w.is_pure());
        assert_eq!(
            w.to_string(),
            "numpy-2.1.0-1_fix-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
        );
    }

    #[test]
    fn build_tags_order_numerically_then_by_rest() {
        let b = |s: &str| parse(&format!("a-1-{s}-py3-none-any.whl")).build;
        assert!(b("10") > b("9"));
        assert!(b("1b") > b("1a"));
        assert!(b("1") > None);
    }

    #[test]
    fn rejects_malformed_filenames() {
        for bad in [
            "foo-1.0-py3-none-any.zip",
            "foo-1.0-none-any.whl",
            "foo-1.0-1-2-py3-none-any.whl",
            "foo-notaversion-py3-none-any.whl",
            "foo-1.0-build-py3-none-any.whl",
            "foo-1.0-py3..py2-none-any.whl",
            "foo-1.0-3py-none-any.whl",
            "../foo-1.0-py3-none-any.whl",
            "dir/foo-1.0-py3-none-any.whl",
            "dir\\foo-1.0-py3-none-any.whl",
            "foo\n-1.0-py3-none-any.whl",
            "fo o-1.0-py3-none-any.whl",
            "-1.0-py3-none-any.whl",
        ] {
            let err = bad.parse::<WheelFilename>().expect_err(bad);
            assert_eq!(err.filename, bad);
        }
        let err = "foo-1.0-build-py3-none-any.whl"
            .parse::<WheelFilename>()
            .unwrap_err();
        assert!(err.to_string().contains("build tag `build`"), "{err}");
        let editable: WheelFilename = "demo-1.0-0.editable-py3-none-any.whl".parse().unwrap();
        assert_eq!(editable.build, Some((0, ".editable".to_string())));
    }

    #[test]
    fn recognizes_wheels_by_extension() {
        assert!(is_wheel("six-1.16.0-py2.py3-none-any.whl"));
        assert!(!is_wheel("six-1.16.0.tar.gz"));
    }

    #[test]
    fn sdist_versions() {
        let name = |s: &str| PackageName::from_str(s).unwrap();
        let v = |s: &str| Some(Version::from_str(s).unwrap());
        assert_eq!(
            sdist_version("Django-4.2.1.tar.gz", &name("django")),
            v("4.2.1")
        );
        assert_eq!(
            sdist_version("zope.interface-6.0.zip", &name("zope-interface")),
            v("6.0")
        );
        assert_eq!(
            sdist_version("python-dateutil-2.8.2.tar.gz", &name("python-dateutil")),
            v("2.8.2")
        );
        assert_eq!(
            sdist_version("python_dateutil-2.8.2.tar.gz", &name("python-dateutil")),
            v("2.8.2")
        );
        assert_eq!(sdist_version("django-4.2.1.tar.gz", &name("flask")), None);
        assert_eq!(sdist_version("django-4.2.1.tar.bz2", &name("django")), None);
        assert_eq!(sdist_version("django-latest.tar.gz", &name("django")), None);
        assert_eq!(
            sdist_version("../django-4.2.1.tar.gz", &name("django")),
            None
        );
    }
}
