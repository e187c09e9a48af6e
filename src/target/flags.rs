//! Targets described by flags instead of probed: `verse download --python-version 3.11
//! --platform manylinux_2_36_x86_64 --implementation cp --abi cp311`, for a machine verse
//! cannot run on (the other side of an air gap, another OS).
//!
//! A platform tag implies its OS and architecture (the PEP 508 markers `sys_platform`,
//! `platform_system`, `os_name`, `platform_machine`), and, like pip's `--platform`, the older
//! tags of its family: `manylinux_2_36_x86_64` also accepts `manylinux_2_35` .. `manylinux1`,
//! `macosx_14_0_arm64` the older macOS releases. Platform tags of one OS and architecture form
//! one target; each `--python-version` multiplies them. Markers that only a real machine knows
//! (`platform_release`, `platform_version`) are empty, and a bare `X.Y` version means `X.Y.0`
//! for `python_full_version` (give `X.Y.Z` when the lock's markers test the micro version).
//!
//! Pure: strings in, [`Target`]s out. The probe (`super::probe`) is not involved.

use std::path::PathBuf;

use pep508_rs::MarkerEnvironmentBuilder;

use super::{Libc, Target, VenvLayout};
use crate::packaging::tags::{
    compatible_tags, cpython_tags, generic_tags, linux_platforms, mac_platforms, ElfHeader,
    LinuxPlatform,
};
use crate::packaging::{MarkerEnvironment, Tags};

/// The target flags as given.
#[derive(Clone, Debug, Default)]
pub struct TargetSpec {
    pub python_versions: Vec<String>,
    pub platforms: Vec<String>,
    /// `cp` or `pp`.
    pub implementation: String,
    pub abis: Vec<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TargetFlagError {
    #[error("--python-version `{0}` is not a Python version like 3.11 or 3.11.7")]
    BadVersion(String),
    #[error("--platform `{0}` is not a platform tag verse knows (manylinux_X_Y_ARCH, manylinux2014_ARCH, musllinux_X_Y_ARCH, linux_ARCH, macosx_X_Y_ARCH, win_amd64, win32, win_arm64)")]
    BadPlatform(String),
    #[error("--implementation `{0}` is not supported (cp for CPython, pp for PyPy)")]
    BadImplementation(String),
    #[error("a target needs {missing} as well (the other target flags were given)")]
    Incomplete { missing: &'static str },
}

/// One OS and architecture, from one or more platform tags.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Platform {
    sys_platform: &'static str,
    platform_system: &'static str,
    os_name: &'static str,
    machine: String,
    /// Supported platform tags, best first.
    tags: Vec<String>,
    libc: Libc,
}

/// Every target the flags describe: each Python version on each OS/architecture.
pub fn targets(spec: &TargetSpec) -> Result<Vec<Target>, TargetFlagError> {
    if spec.python_versions.is_empty() {
        return Err(TargetFlagError::Incomplete {
            missing: "--python-version",
        });
    }
    if spec.platforms.is_empty() {
        return Err(TargetFlagError::Incomplete {
            missing: "--platform",
        });
    }
    let implementation = match spec.implementation.as_str() {
        "cp" | "cpython" => "cp",
        "pp" | "pypy" => "pp",
        other => return Err(TargetFlagError::BadImplementation(other.to_string())),
    };
    let mut platforms: Vec<Platform> = Vec::new();
    for tag in &spec.platforms {
        let platform = parse_platform(tag)?;
        match platforms
            .iter_mut()
            .find(|p| p.sys_platform == platform.sys_platform && p.machine == platform.machine)
        {
            Some(existing) => {
                for t in platform.tags {
                    if !existing.tags.contains(&t) {
                        existing.tags.push(t);
                    }
                }
                if existing.libc == Libc::Unknown {
                    existing.libc = platform.libc;
                }
            }
            None => platforms.push(platform),
        }
    }
    let mut out = Vec::new();
    for version in &spec.python_versions {
        let version = parse_version(version)?;
        for platform in &platforms {
            out.push(target(implementation, version, &spec.abis, platform)?);
        }
    }
    Ok(out)
}

/// A short description for messages: `CPython 3.11.0 on linux x86_64`.
pub fn describe(target: &Target) -> String {
    format!(
        "{} {} on {} {}",
        if target.implementation == "pypy" {
            "PyPy"
        } else {
            "CPython"
        },
        target.full_version,
        target.markers.sys_platform(),
        target.markers.platform_machine()
    )
}

fn parse_version(text: &str) -> Result<(u64, u64, u64), TargetFlagError> {
    let bad = || TargetFlagError::BadVersion(text.to_string());
    let parts: Vec<&str> = text.trim().split('.').collect();
    if !(2..=3).contains(&parts.len()) {
        return Err(bad());
    }
    let number = |s: &str| -> Result<u64, TargetFlagError> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        s.parse().map_err(|_| bad())
    };
    let major = number(parts[0])?;
    let minor = number(parts[1])?;
    let micro = parts.get(2).map(|p| number(p)).transpose()?.unwrap_or(0);
    if major != 3 {
        return Err(bad());
    }
    Ok((major, minor, micro))
}

fn parse_platform(tag: &str) -> Result<Platform, TargetFlagError> {
    let bad = || TargetFlagError::BadPlatform(tag.to_string());
    let linux = |machine: &str, tags: Vec<String>, libc: Libc| Platform {
        sys_platform: "linux",
        platform_system: "Linux",
        os_name: "posix",
        machine: machine.to_string(),
        tags,
        libc,
    };
    // (glibc version, architecture) of the manylinux spellings.
    let manylinux = if let Some(rest) = tag.strip_prefix("manylinux_") {
        Some(split_version_arch(rest).ok_or_else(bad)?)
    } else if let Some(arch) = tag.strip_prefix("manylinux2014_") {
        Some(((2, 17), arch.to_string()))
    } else if let Some(arch) = tag.strip_prefix("manylinux2010_") {
        Some(((2, 12), arch.to_string()))
    } else {
        tag.strip_prefix("manylinux1_")
            .map(|arch| ((2, 5), arch.to_string()))
    };
    if let Some((glibc, arch)) = manylinux {
        let tags = linux_platforms(&linux_info(&arch, Some(glibc), None));
        if tags.len() <= 1 {
            // No manylinux tags were generated: not an architecture manylinux knows.
            return Err(bad());
        }
        return Ok(linux(
            &arch,
            tags,
            Libc::Glibc {
                major: glibc.0,
                minor: glibc.1,
            },
        ));
    }
    if let Some(rest) = tag.strip_prefix("musllinux_") {
        let (musl, arch) = split_version_arch(rest).ok_or_else(bad)?;
        let tags = linux_platforms(&linux_info(&arch, None, Some(musl)));
        return Ok(linux(
            &arch,
            tags,
            Libc::Musl {
                major: musl.0,
                minor: musl.1,
            },
        ));
    }
    if let Some(arch) = tag.strip_prefix("linux_") {
        if arch.is_empty() {
            return Err(bad());
        }
        return Ok(linux(arch, vec![tag.to_string()], Libc::Unknown));
    }
    if let Some(rest) = tag.strip_prefix("macosx_") {
        let ((major, minor), arch) = split_version_arch(rest).ok_or_else(bad)?;
        let tags = mac_platforms((major, minor), &arch);
        if tags.is_empty() {
            return Err(bad());
        }
        let machine = match arch.as_str() {
            "universal2" | "arm64" => "arm64",
            _ => "x86_64",
        };
        return Ok(Platform {
            sys_platform: "darwin",
            platform_system: "Darwin",
            os_name: "posix",
            machine: machine.to_string(),
            tags,
            libc: Libc::Unknown,
        });
    }
    let windows_machine = match tag {
        "win_amd64" => "AMD64",
        "win32" => "x86",
        "win_arm64" => "ARM64",
        _ => return Err(bad()),
    };
    Ok(Platform {
        sys_platform: "win32",
        platform_system: "Windows",
        os_name: "nt",
        machine: windows_machine.to_string(),
        tags: vec![tag.to_string()],
        libc: Libc::Unknown,
    })
}

/// `2_36_x86_64` → ((2, 36), "x86_64").
fn split_version_arch(rest: &str) -> Option<((u32, u32), String)> {
    let mut parts = rest.splitn(3, '_');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    let arch = parts.next().filter(|a| !a.is_empty())?;
    Some(((major, minor), arch.to_string()))
}

/// What the tag generator needs to produce the manylinux/musllinux ladder for `arch`. The
/// 32-bit architectures get the ELF header packaging checks on a real machine.
fn linux_info(arch: &str, glibc: Option<(u32, u32)>, musl: Option<(u32, u32)>) -> LinuxPlatform {
    let elf = match arch {
        "i686" => Some(ElfHeader {
            class: 1,
            data: 1,
            machine: 3,
            flags: 0,
        }),
        "armv7l" => Some(ElfHeader {
            class: 1,
            data: 1,
            machine: 40,
            flags: 0x0500_0400,
        }),
        _ => None,
    };
    LinuxPlatform {
        sysconfig_platform: format!("linux_{arch}"),
        is_32bit: false,
        glibc,
        musl,
        elf,
        manylinux_rejected: Vec::new(),
    }
}

fn target(
    implementation: &str,
    version: (u64, u64, u64),
    abis: &[String],
    platform: &Platform,
) -> Result<Target, TargetFlagError> {
    let (major, minor, micro) = version;
    let full_version = format!("{major}.{minor}.{micro}");
    let python_version = format!("{major}.{minor}");
    let (implementation_name, python_implementation) = if implementation == "pp" {
        ("pypy", "PyPy")
    } else {
        ("cpython", "CPython")
    };
    let markers = MarkerEnvironment::try_from(MarkerEnvironmentBuilder {
        implementation_name,
        implementation_version: &full_version,
        os_name: platform.os_name,
        platform_machine: &platform.machine,
        platform_python_implementation: python_implementation,
        platform_release: "",
        platform_system: platform.platform_system,
        platform_version: "",
        python_full_version: &full_version,
        python_version: &python_version,
        sys_platform: platform.sys_platform,
    })
    .map_err(|_| TargetFlagError::BadVersion(full_version.clone()))?;

    let nodot = format!("{major}{minor}");
    let mut tags = if implementation == "cp" {
        let abis = if abis.is_empty() {
            vec![format!("cp{nodot}")]
        } else {
            abis.to_vec()
        };
        let mut tags = cpython_tags((major, minor), &abis, &platform.tags);
        tags.extend(compatible_tags(
            (major, minor),
            Some(&format!("cp{nodot}")),
            &platform.tags,
        ));
        tags
    } else {
        let mut tags = generic_tags(&format!("pp{nodot}"), abis, &platform.tags);
        tags.extend(compatible_tags((major, minor), Some("pp3"), &platform.tags));
        tags
    };
    tags.dedup();
    Ok(Target {
        executable: PathBuf::new(),
        base_executable: PathBuf::new(),
        prefix: PathBuf::new(),
        base_prefix: PathBuf::new(),
        version,
        full_version,
        implementation: implementation_name.to_string(),
        markers,
        tags: Tags::new(tags),
        venv_layout: VenvLayout {
            purelib: PathBuf::new(),
            platlib: PathBuf::new(),
            scripts: PathBuf::new(),
            include: PathBuf::new(),
            data: PathBuf::new(),
        },
        libc: platform.libc,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packaging::WheelFilename;

    fn spec(versions: &[&str], platforms: &[&str]) -> TargetSpec {
        TargetSpec {
            python_versions: versions.iter().map(|s| s.to_string()).collect(),
            platforms: platforms.iter().map(|s| s.to_string()).collect(),
            implementation: "cp".into(),
            abis: Vec::new(),
        }
    }

    fn accepts(target: &Target, file: &str) -> bool {
        let wheel: WheelFilename = file.parse().unwrap();
        target.tags.priority(&wheel).is_some()
    }

    #[test]
    fn manylinux_target_matches_what_pip_would_take() {
        let targets = targets(&spec(&["3.11"], &["manylinux_2_36_x86_64"])).unwrap();
        assert_eq!(targets.len(), 1);
        let t = &targets[0];
        assert_eq!(t.full_version, "3.11.0");
        assert_eq!(t.markers.sys_platform(), "linux");
        assert_eq!(t.markers.platform_machine(), "x86_64");
        for ok in [
            "numpy-2.1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
            "cryptography-43.0.0-cp39-abi3-manylinux_2_28_x86_64.whl",
            "six-1.16.0-py2.py3-none-any.whl",
            "old-1.0-cp311-cp311-manylinux1_x86_64.whl",
        ] {
            assert!(accepts(t, ok), "{ok}");
        }
        for no in [
            "numpy-2.1.0-cp312-cp312-manylinux_2_17_x86_64.whl",
            "numpy-2.1.0-cp311-cp311-manylinux_2_38_x86_64.whl",
            "numpy-2.1.0-cp311-cp311-musllinux_1_2_x86_64.whl",
            "numpy-2.1.0-cp311-cp311-manylinux_2_17_aarch64.whl",
            "numpy-2.1.0-cp311-cp311-win_amd64.whl",
        ] {
            assert!(!accepts(t, no), "{no}");
        }
        // The specific wheel beats the universal one, as on the real machine.
        let specific: WheelFilename = "a-1-cp311-cp311-manylinux_2_17_x86_64.whl".parse().unwrap();
        let generic: WheelFilename = "a-1-py3-none-any.whl".parse().unwrap();
        assert!(t.tags.priority(&specific) < t.tags.priority(&generic));
    }

    #[test]
    fn tags_equal_a_probed_linux_interpreter() {
        // The same ladder the real probe of a glibc 2.36 x86_64 CPython 3.11 gives
        // (tests/fixtures/tags/cp311-x86_64-glibc2.36.txt, generated by packaging).
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/tags/cp311-x86_64-glibc2.36.txt");
        let golden: Vec<String> = std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .map(str::to_string)
            .collect();
        let t = &targets(&spec(&["3.11"], &["manylinux_2_36_x86_64"])).unwrap()[0];
        let ours: Vec<String> = t.tags.ordered.iter().map(ToString::to_string).collect();
        assert_eq!(ours, golden);
    }

    #[test]
    fn platforms_group_by_os_and_arch_and_versions_multiply() {
        let targets = targets(&spec(
            &["3.10", "3.12.4"],
            &[
                "manylinux2014_x86_64",
                "linux_x86_64",
                "macosx_14_0_arm64",
                "win_amd64",
            ],
        ))
        .unwrap();
        assert_eq!(targets.len(), 6);
        let mac = &targets[1];
        assert_eq!(mac.markers.sys_platform(), "darwin");
        assert!(accepts(mac, "a-1-cp310-cp310-macosx_11_0_arm64.whl"));
        assert!(!accepts(mac, "a-1-cp310-cp310-macosx_15_0_arm64.whl"));
        let win = &targets[5];
        assert_eq!(win.full_version, "3.12.4");
        assert_eq!(win.markers.sys_platform(), "win32");
        assert!(accepts(win, "a-1-cp312-cp312-win_amd64.whl"));
        assert_eq!(describe(win), "CPython 3.12.4 on win32 AMD64");
    }

    #[test]
    fn bad_flags_are_named() {
        assert_eq!(
            targets(&spec(&["3"], &["win_amd64"])).unwrap_err(),
            TargetFlagError::BadVersion("3".into())
        );
        assert_eq!(
            targets(&spec(&["3.11"], &["solaris"])).unwrap_err(),
            TargetFlagError::BadPlatform("solaris".into())
        );
        assert!(matches!(
            targets(&spec(&[], &["win_amd64"])).unwrap_err(),
            TargetFlagError::Incomplete { .. }
        ));
        let mut jython = spec(&["3.11"], &["win_amd64"]);
        jython.implementation = "jy".into();
        assert!(targets(&jython).is_err());
    }
}
