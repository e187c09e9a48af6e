//! Compatibility tags (PEP 425, 600, 656) of an interpreter, in priority order, and the
//! question every wheel is asked: "can this interpreter use you, and how well?"
//!
//! The order is exactly `packaging.tags.sys_tags()` from packaging 26.x, which pip uses: the
//! functions here are line-for-line ports of `cpython_tags`, `generic_tags`,
//! `compatible_tags`, `_linux_platforms`, `_manylinux.platform_tags`,
//! `_musllinux.platform_tags` and `mac_platforms`, and the golden files in
//! `tests/fixtures/tags/` were written by packaging itself. One difference from older
//! packaging (and from uv) is deliberate: since packaging 26.3 the native `linux_<arch>` tag
//! comes *first*, before manylinux/musllinux (pypa/packaging#160).
//!
//! Pure: this module does not run the interpreter. `target` probes it and fills in a
//! [`TagEnvironment`]; everything machine-specific arrives through that value.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::str::FromStr;

use super::WheelFilename;

/// One `python-abi-platform` triple, lowercase (packaging lowercases every part).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Tag {
    pub python: String,
    pub abi: String,
    pub platform: String,
}

impl Tag {
    pub fn new(python: &str, abi: &str, platform: &str) -> Self {
        Tag {
            python: python.to_ascii_lowercase(),
            abi: abi.to_ascii_lowercase(),
            platform: platform.to_ascii_lowercase(),
        }
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}-{}", self.python, self.abi, self.platform)
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("`{0}` is not a single `python-abi-platform` tag")]
pub struct TagParseError(String);

impl FromStr for Tag {
    type Err = TagParseError;

    /// One uncompressed tag (`cp311-abi3-linux_x86_64`); compressed sets belong to
    /// [`WheelFilename`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.split('-');
        match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some(python), Some(abi), Some(platform), None)
                if [python, abi, platform]
                    .iter()
                    .all(|p| !p.is_empty() && !p.contains('.')) =>
            {
                Ok(Tag::new(python, abi, platform))
            }
            _ => Err(TagParseError(s.to_string())),
        }
    }
}

/// The tags an interpreter supports, best first, as `packaging.tags.sys_tags()` orders them.
#[derive(Clone, Debug, Default)]
pub struct Tags {
    /// Best first. Build a `Tags` with [`Tags::new`]: the lookup index is made from this list
    /// then, so changing the list afterwards leaves the index stale.
    pub ordered: Vec<Tag>,
    /// `python-abi-platform` → first index in `ordered`. Keyed by the joined string so a
    /// lookup needs one reused buffer instead of three allocations per candidate tag.
    rank: HashMap<String, usize>,
}

impl Tags {
    /// Wraps an ordered list; a tag listed twice keeps its first (best) position.
    pub fn new(ordered: Vec<Tag>) -> Self {
        let mut rank = HashMap::with_capacity(ordered.len());
        for (index, tag) in ordered.iter().enumerate() {
            rank.entry(tag.to_string()).or_insert(index);
        }
        Tags { ordered, rank }
    }

    /// `sys_tags()` for the described interpreter.
    pub fn from_environment(env: &TagEnvironment) -> Self {
        Tags::new(sys_tags(env))
    }

    pub fn len(&self) -> usize {
        self.ordered.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ordered.is_empty()
    }

    /// Position of one tag (lower is better), `None` if unsupported.
    pub fn rank(&self, tag: &Tag) -> Option<usize> {
        self.rank.get(&tag.to_string()).copied()
    }

    /// The best (lowest) position of any tag in the wheel's expanded tag sets; `None` when
    /// the interpreter cannot use the wheel. Among compatible wheels, pick the lowest; on a
    /// tie, the higher build tag.
    pub fn priority(&self, wheel: &WheelFilename) -> Option<usize> {
        let mut key = String::with_capacity(64);
        let mut best: Option<usize> = None;
        for python in &wheel.python_tags {
            for abi in &wheel.abi_tags {
                for platform in &wheel.platform_tags {
                    key.clear();
                    key.push_str(python);
                    key.push('-');
                    key.push_str(abi);
                    key.push('-');
                    key.push_str(platform);
                    if let Some(&index) = self.rank.get(key.as_str()) {
                        best = Some(best.map_or(index, |b| b.min(index)));
                    }
                }
            }
        }
        best
    }

    /// Why the interpreter cannot use `wheel`, in words a user can act on: which of the
    /// python tag, the ABI or the platform is wrong, and what this interpreter has instead.
    ///
    /// Each expanded tag of the wheel is classified by how far it gets (unknown python tag,
    /// then unknown ABI for that python tag, then unknown platform), and the closest miss is
    /// explained, the way uv ranks its `IncompatibleTag`s.
    pub fn incompatibility(&self, wheel: &WheelFilename) -> String {
        if self.priority(wheel).is_some() {
            return "compatible with this interpreter".to_string();
        }
        let host = Host::describe(self);
        let pythons: HashSet<&str> = self.ordered.iter().map(|t| t.python.as_str()).collect();
        let pairs: HashSet<(&str, &str)> = self
            .ordered
            .iter()
            .map(|t| (t.python.as_str(), t.abi.as_str()))
            .collect();

        // 0: python tag unknown, 1: ABI unknown for that python tag, 2: platform unknown.
        let mut level = 0;
        let mut closest: Option<(&str, &str)> = None;
        for python in &wheel.python_tags {
            for abi in &wheel.abi_tags {
                let this = if !pythons.contains(python.as_str()) {
                    0
                } else if !pairs.contains(&(python.as_str(), abi.as_str())) {
                    1
                } else {
                    2
                };
                if closest.is_none() || this > level {
                    level = this;
                    closest = Some((python, abi));
                }
            }
        }

        match (level, closest) {
            (2, _) => {
                let wanted: Vec<String> = unique(&wheel.platform_tags)
                    .into_iter()
                    .map(describe_platform)
                    .collect();
                let mut message = format!(
                    "built for {}; this system is {}",
                    wanted.join(" or "),
                    host.platform
                );
                if let Some(note) = host.manylinux_note(&wheel.platform_tags) {
                    message.push_str(&note);
                }
                message
            }
            (1, Some((python, abi))) => {
                // `cp39-cp39` on a 3.11 host passes the python test (cp39-abi3 tags exist)
                // but is really a Python version mismatch; say so.
                match cpython_abi_version(abi) {
                    Some(version) if Some(version) != host.cpython_version.as_deref() => {
                        format!(
                            "built for {}, this interpreter is {}",
                            describe_python(&format!("cp{version}")),
                            host.python
                        )
                    }
                    _ => {
                        let accepted: Vec<&str> = unique_str(
                            self.ordered
                                .iter()
                                .filter(|t| t.python == python)
                                .map(|t| t.abi.as_str()),
                        );
                        let host_abi = self.ordered.first().map_or("none", |t| t.abi.as_str());
                        format!(
                            "built for {} (ABI `{abi}`), this interpreter is {} and accepts \
                             the ABIs `{}` for `{python}`",
                            describe_abi(abi),
                            describe_abi(host_abi),
                            accepted.join("`, `")
                        )
                    }
                }
            }
            _ => {
                let wanted: Vec<String> = unique(&wheel.python_tags)
                    .into_iter()
                    .map(describe_python)
                    .collect();
                format!(
                    "built for {}, this interpreter is {}",
                    wanted.join(" or "),
                    host.python
                )
            }
        }
    }
}

fn unique(items: &[String]) -> Vec<&str> {
    unique_str(items.iter().map(String::as_str))
}

fn unique_str<'a>(items: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut seen = HashSet::new();
    items.filter(|item| seen.insert(*item)).collect()
}

/// What [`Tags::incompatibility`] says about this interpreter, recovered from the tag list
/// itself so that any `Tags` (probed or built by hand) can explain itself.
struct Host {
    /// e.g. `Python 3.11 (cp311)`.
    python: String,
    cpython_version: Option<String>,
    /// e.g. `Linux x86_64 with glibc 2.36`.
    platform: String,
    archs: Vec<String>,
    glibc: Option<(u32, u32)>,
}

impl Host {
    fn describe(tags: &Tags) -> Host {
        let first = tags.ordered.first();
        let python = first.map_or_else(
            || "unknown (no compatible tags)".to_string(),
            |t| describe_python(&t.python),
        );
        let cpython_version = first
            .and_then(|t| t.python.strip_prefix("cp"))
            .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
            .map(str::to_string);

        let platforms = unique_str(tags.ordered.iter().map(|t| t.platform.as_str()));
        let mut archs: Vec<String> = Vec::new();
        let mut glibc: Option<(u32, u32)> = None;
        let mut musl: Option<(u32, u32)> = None;
        let mut mac = None;
        let mut windows = None;
        for platform in &platforms {
            match PlatformTag::parse(platform) {
                PlatformTag::Linux { arch } => {
                    if !archs.iter().any(|a| a == arch) {
                        archs.push(arch.to_string());
                    }
                }
                PlatformTag::Manylinux { glibc: version, .. } => {
                    glibc = glibc.max(Some(version));
                }
                PlatformTag::Musllinux { musl: version, .. } => {
                    musl = musl.max(Some(version));
                }
                PlatformTag::Macos { .. } => {
                    mac.get_or_insert(*platform);
                }
                PlatformTag::Windows => {
                    windows.get_or_insert(*platform);
                }
                PlatformTag::Any | PlatformTag::Other => {}
            }
        }
        let platform = if !archs.is_empty() {
            let libc = match (glibc, musl) {
                (Some((a, b)), _) => format!(" with glibc {a}.{b}"),
                (None, Some((a, b))) => format!(" with musl {a}.{b}"),
                (None, None) => " without a manylinux-compatible libc".to_string(),
            };
            format!("Linux {}{libc}", archs.join("/"))
        } else if let Some(mac) = mac {
            format!("macOS (best platform tag `{mac}`)")
        } else if let Some(windows) = windows {
            format!("Windows (`{windows}`)")
        } else {
            match platforms.iter().find(|p| **p != "any") {
                Some(p) => format!("`{p}`"),
                None => "a platform with no binary tags".to_string(),
            }
        };
        Host {
            python,
            cpython_version,
            platform,
            archs,
            glibc,
        }
    }

    /// A manylinux wheel for our arch and an old-enough glibc can still be refused: by the
    /// PEP 600 `_manylinux` module, or because the interpreter's ELF ABI does not fit.
    fn manylinux_note(&self, wheel_platforms: &[String]) -> Option<String> {
        let host_glibc = self.glibc?;
        let blocked = wheel_platforms.iter().any(|p| match PlatformTag::parse(p) {
            PlatformTag::Manylinux { glibc, arch } => {
                glibc <= host_glibc && self.archs.iter().any(|a| a == arch)
            }
            _ => false,
        });
        blocked.then(|| {
            " (its glibc is old enough, but this interpreter's `_manylinux` module rules the \
             tag out)"
                .to_string()
        })
    }
}

/// A platform tag taken apart, for explanations only.
enum PlatformTag<'a> {
    Linux { arch: &'a str },
    Manylinux { glibc: (u32, u32), arch: &'a str },
    Musllinux { musl: (u32, u32), arch: &'a str },
    Macos { version: &'a str, arch: &'a str },
    Windows,
    Any,
    Other,
}

impl<'a> PlatformTag<'a> {
    fn parse(tag: &'a str) -> PlatformTag<'a> {
        fn version_arch(rest: &str) -> Option<((u32, u32), &str)> {
            let mut parts = rest.splitn(3, '_');
            let major = parts.next()?.parse().ok()?;
            let minor = parts.next()?.parse().ok()?;
            Some(((major, minor), parts.next()?))
        }
        if tag == "any" {
            return PlatformTag::Any;
        }
        if tag == "win32" || tag.starts_with("win_") {
            return PlatformTag::Windows;
        }
        for (legacy, glibc) in [
            ("manylinux1_", (2, 5)),
            ("manylinux2010_", (2, 12)),
            ("manylinux2014_", (2, 17)),
        ] {
            if let Some(arch) = tag.strip_prefix(legacy) {
                return PlatformTag::Manylinux { glibc, arch };
            }
        }
        if let Some((glibc, arch)) = tag.strip_prefix("manylinux_").and_then(version_arch) {
            return PlatformTag::Manylinux { glibc, arch };
        }
        if let Some((musl, arch)) = tag.strip_prefix("musllinux_").and_then(version_arch) {
            return PlatformTag::Musllinux { musl, arch };
        }
        if let Some(arch) = tag.strip_prefix("linux_") {
            return PlatformTag::Linux { arch };
        }
        if let Some(rest) = tag.strip_prefix("macosx_") {
            let mut parts = rest.splitn(3, '_');
            if let (Some(major), Some(minor), Some(arch)) =
                (parts.next(), parts.next(), parts.next())
            {
                // `11_0` of `11_0_arm64`, borrowed from the tag.
                let version = &rest[..major.len() + 1 + minor.len()];
                return PlatformTag::Macos { version, arch };
            }
        }
        PlatformTag::Other
    }
}

fn describe_platform(tag: &str) -> String {
    match PlatformTag::parse(tag) {
        PlatformTag::Manylinux {
            glibc: (major, minor),
            arch,
        } => format!("Linux {arch} with glibc {major}.{minor} or newer (`{tag}`)"),
        PlatformTag::Musllinux {
            musl: (major, minor),
            arch,
        } => format!("Linux {arch} with musl {major}.{minor} or newer (`{tag}`)"),
        PlatformTag::Linux { arch } => {
            format!("Linux {arch}, built locally and not portable (`{tag}`)")
        }
        PlatformTag::Macos { version, arch } => {
            format!("macOS {} on {arch} (`{tag}`)", version.replace('_', "."))
        }
        PlatformTag::Windows => format!("Windows (`{tag}`)"),
        PlatformTag::Any => "any platform".to_string(),
        PlatformTag::Other => format!("the platform `{tag}`"),
    }
}

/// `cp311` → `Python 3.11 (cp311)`, `pp310` → `PyPy 3.10 (pp310)`, `py3` → `Python 3 (py3)`.
fn describe_python(tag: &str) -> String {
    match python_name(tag) {
        Some(name) => format!("{name} ({tag})"),
        None => format!("the interpreter tag `{tag}`"),
    }
}

/// `cp311` → `Python 3.11`; `None` for tags of unknown interpreters.
fn python_name(tag: &str) -> Option<String> {
    let split = tag.find(|c: char| c.is_ascii_digit()).unwrap_or(tag.len());
    let (name, digits) = tag.split_at(split);
    let name = match name {
        "cp" | "py" => "Python",
        "pp" => "PyPy",
        "ip" => "IronPython",
        "jy" => "Jython",
        "graalpy" => "GraalPy",
        _ => return None,
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let version = if digits.len() == 1 {
        digits.to_string()
    } else {
        format!("{}.{}", &digits[..1], &digits[1..])
    };
    Some(format!("{name} {version}"))
}

/// `cp313t` → `Some("313")`: the version of a version-specific CPython ABI.
fn cpython_abi_version(abi: &str) -> Option<&str> {
    let rest = abi.strip_prefix("cp")?;
    let end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

fn describe_abi(abi: &str) -> String {
    if abi == "abi3" {
        return "the stable ABI".to_string();
    }
    if abi == "abi3t" {
        return "the free-threaded stable ABI".to_string();
    }
    match cpython_abi_version(abi) {
        Some(version) => {
            let flags = &abi[2 + version.len()..];
            let mut kinds = Vec::new();
            if flags.contains('t') {
                kinds.push("free-threaded");
            }
            if flags.contains('d') {
                kinds.push("debug");
            }
            let python =
                python_name(&format!("cp{version}")).unwrap_or_else(|| format!("cp{version}"));
            if kinds.is_empty() {
                python
            } else {
                format!("a {} build of {python}", kinds.join(" "))
            }
        }
        None => format!("the ABI `{abi}`"),
    }
}

// ---------------------------------------------------------------------------------------
// Generating the list: what the interpreter told us, and packaging's algorithm.
// ---------------------------------------------------------------------------------------

/// What tag generation needs to know about an interpreter. `target` fills it from the probe.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagEnvironment {
    /// `sys.implementation.name` (`cpython`, `pypy`, ...).
    pub implementation: String,
    /// `sys.version_info[:2]`.
    pub python_version: (u64, u64),
    /// sysconfig `py_version_nodot` (`311`); `None` falls back to `python_version`.
    pub py_version_nodot: Option<String>,
    pub abi: AbiConfig,
    pub platform: PlatformInfo,
}

/// The sysconfig facts packaging derives ABI tags from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AbiConfig {
    /// `Py_DEBUG`; `None` when unset (Windows), then the next two fields decide.
    pub py_debug: Option<bool>,
    /// `hasattr(sys, "gettotalrefcount")`: only debug builds have it.
    pub has_gettotalrefcount: bool,
    /// `importlib.machinery.EXTENSION_SUFFIXES` (`_d.pyd` marks a Windows debug build).
    pub extension_suffixes: Vec<String>,
    /// `Py_GIL_DISABLED` (3.13+ free-threaded builds).
    pub gil_disabled: bool,
    /// `WITH_PYMALLOC`, which added `m` to the ABI before 3.8; `None` when unset.
    pub with_pymalloc: Option<bool>,
    /// `EXT_SUFFIX`, the ABI source for interpreters other than CPython.
    pub ext_suffix: Option<String>,
}

/// The platform half of the tags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlatformInfo {
    Linux(LinuxPlatform),
    MacOs {
        /// `platform.mac_ver()` major and minor (probed with `SYSTEM_VERSION_COMPAT=0`).
        version: (u32, u32),
        /// `platform.mac_ver()[2]` (`arm64`, `x86_64`).
        cpu_arch: String,
        is_32bit: bool,
    },
    /// Windows and everything else: the normalized `sysconfig.get_platform()` is the only
    /// platform tag (`win_amd64`, `freebsd_14_0_release_amd64`, ...).
    Other {
        sysconfig_platform: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinuxPlatform {
    /// Normalized `sysconfig.get_platform()`: `linux_x86_64`.
    pub sysconfig_platform: String,
    /// A 32-bit interpreter on a 64-bit kernel gets i686 / armv8l tags.
    pub is_32bit: bool,
    pub glibc: Option<(u32, u32)>,
    pub musl: Option<(u32, u32)>,
    /// The interpreter binary's ELF header; decides manylinux for armv7l and i686.
    pub elf: Option<ElfHeader>,
    /// `(major, minor, arch)` the PEP 600 `_manylinux` module answered "no" for.
    pub manylinux_rejected: Vec<(u32, u32, String)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ElfHeader {
    /// `EI_CLASS`: 1 = 32-bit, 2 = 64-bit.
    pub class: u8,
    /// `EI_DATA`: 1 = little-endian, 2 = big-endian.
    pub data: u8,
    pub machine: u16,
    pub flags: u32,
}

const ELF_MACHINE_I386: u16 = 3;
const ELF_MACHINE_ARM: u16 = 40;
const EF_ARM_ABIMASK: u32 = 0xFF00_0000;
const EF_ARM_ABI_VER5: u32 = 0x0500_0000;
const EF_ARM_ABI_FLOAT_HARD: u32 = 0x0000_0400;

impl ElfHeader {
    fn is_linux_armhf(&self) -> bool {
        self.class == 1
            && self.data == 1
            && self.machine == ELF_MACHINE_ARM
            && self.flags & EF_ARM_ABIMASK == EF_ARM_ABI_VER5
            && self.flags & EF_ARM_ABI_FLOAT_HARD == EF_ARM_ABI_FLOAT_HARD
    }

    fn is_linux_i686(&self) -> bool {
        self.class == 1 && self.data == 1 && self.machine == ELF_MACHINE_I386
    }
}

/// `packaging.tags.sys_tags()`.
pub fn sys_tags(env: &TagEnvironment) -> Vec<Tag> {
    let name = interpreter_short_name(&env.implementation);
    let version = env.python_version;
    let nodot = env
        .py_version_nodot
        .clone()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| version_nodot(version));
    let platforms = platform_tags(&env.platform);
    let mut tags = if name == "cp" {
        cpython_tags(version, &cpython_abis(version, &env.abi), &platforms)
    } else {
        let abis = generic_abi(version, &env.abi);
        generic_tags(&format!("{name}{nodot}"), &abis, &platforms)
    };
    let interpreter = match name {
        "pp" => Some("pp3".to_string()),
        "cp" => Some(format!("cp{nodot}")),
        _ => None,
    };
    tags.extend(compatible_tags(version, interpreter.as_deref(), &platforms));
    tags
}

/// `packaging.tags.INTERPRETER_SHORT_NAMES`.
pub fn interpreter_short_name(implementation: &str) -> &str {
    match implementation {
        "python" => "py",
        "cpython" => "cp",
        "pypy" => "pp",
        "ironpython" => "ip",
        "jython" => "jy",
        other => other,
    }
}

fn version_nodot((major, minor): (u64, u64)) -> String {
    format!("{major}{minor}")
}

/// `packaging.tags._cpython_abis` (verse supports 3.7+, so the UCS-4 `u` flag of Python
/// < 3.3 is left out).
pub fn cpython_abis(version: (u64, u64), config: &AbiConfig) -> Vec<String> {
    let nodot = version_nodot(version);
    let debug = config.py_debug == Some(true)
        || (config.py_debug.is_none()
            && (config.has_gettotalrefcount
                || config.extension_suffixes.iter().any(|s| s == "_d.pyd")));
    let debug = if debug { "d" } else { "" };
    let threading = if version >= (3, 13) && config.gil_disabled {
        "t"
    } else {
        ""
    };
    let pymalloc = if version < (3, 8) && config.with_pymalloc != Some(false) {
        "m"
    } else {
        ""
    };
    let mut abis = vec![format!("cp{nodot}{threading}{debug}{pymalloc}")];
    if version >= (3, 8) && !debug.is_empty() {
        // Debug builds can also load normal extension modules.
        abis.push(format!("cp{nodot}{threading}"));
    }
    abis
}

/// `packaging.tags._generic_abi`: the ABI part of `EXT_SUFFIX`
/// (`.pypy310-pp73-x86_64-linux-gnu.so` → `pypy310_pp73`). packaging raises on a missing
/// or malformed suffix; here such an interpreter simply gets no ABI tag but `none`.
pub fn generic_abi(version: (u64, u64), config: &AbiConfig) -> Vec<String> {
    let Some(ext_suffix) = config.ext_suffix.as_deref().filter(|s| s.starts_with('.')) else {
        return Vec::new();
    };
    let parts: Vec<&str> = ext_suffix.split('.').collect();
    if parts.len() < 3 {
        // CPython 3.7 and earlier use a bare `.pyd` on Windows.
        return cpython_abis(version, config);
    }
    let soabi = parts[1];
    let abi = if soabi.starts_with("cpython") {
        match soabi.split('-').nth(1) {
            Some(v) if !v.is_empty() => format!("cp{v}"),
            _ => return Vec::new(),
        }
    } else if soabi.starts_with("cp") {
        soabi.split('-').next().unwrap_or(soabi).to_string()
    } else if soabi.starts_with("pypy") {
        soabi.split('-').take(2).collect::<Vec<_>>().join("-")
    } else if soabi.starts_with("graalpy") {
        soabi.split('-').take(3).collect::<Vec<_>>().join("-")
    } else if !soabi.is_empty() {
        soabi.to_string()
    } else {
        return Vec::new();
    };
    vec![normalize_platform_string(&abi)]
}

/// `packaging.tags._normalize_string`.
pub fn normalize_platform_string(s: &str) -> String {
    s.replace(['.', '-', ' '], "_")
}

fn is_threaded_cpython(abis: &[String]) -> bool {
    for abi in abis {
        if abi == "abi3t" {
            return true;
        }
        if let Some(version) = cpython_abi_version(abi) {
            return abi[2 + version.len()..].contains('t');
        }
    }
    false
}

/// `packaging.tags.cpython_tags(python_version, abis, platforms)`.
pub fn cpython_tags(version: (u64, u64), abis: &[String], platforms: &[String]) -> Vec<Tag> {
    let interpreter = format!("cp{}", version_nodot(version));
    let mut abis = abis.to_vec();
    let threading = is_threaded_cpython(&abis);
    let explicit: &[&str] = if threading {
        &["abi3", "abi3t", "none"]
    } else {
        &["abi3", "none"]
    };
    // `list.remove`: the first occurrence only.
    for explicit_abi in explicit {
        if let Some(position) = abis.iter().position(|a| a == explicit_abi) {
            abis.remove(position);
        }
    }

    let mut tags = Vec::new();
    for abi in &abis {
        for platform in platforms {
            tags.push(Tag::new(&interpreter, abi, platform));
        }
    }
    let supports_stable = version >= (3, 2);
    let use_abi3 = supports_stable && !threading;
    let use_abi3t = supports_stable && threading;
    if use_abi3 {
        tags.extend(platforms.iter().map(|p| Tag::new(&interpreter, "abi3", p)));
    }
    if use_abi3t {
        tags.extend(platforms.iter().map(|p| Tag::new(&interpreter, "abi3t", p)));
    }
    tags.extend(platforms.iter().map(|p| Tag::new(&interpreter, "none", p)));
    if use_abi3 || use_abi3t {
        for minor in (2..version.1).rev() {
            let older = format!("cp{}", version_nodot((version.0, minor)));
            for platform in platforms {
                if use_abi3 {
                    tags.push(Tag::new(&older, "abi3", platform));
                }
                if use_abi3t {
                    tags.push(Tag::new(&older, "abi3t", platform));
                }
            }
        }
    }
    tags
}

/// `packaging.tags.generic_tags(interpreter, abis, platforms)`.
pub fn generic_tags(interpreter: &str, abis: &[String], platforms: &[String]) -> Vec<Tag> {
    let mut abis = abis.to_vec();
    if !abis.iter().any(|a| a == "none") {
        abis.push("none".to_string());
    }
    let mut tags = Vec::new();
    for abi in &abis {
        for platform in platforms {
            tags.push(Tag::new(interpreter, abi, platform));
        }
    }
    tags
}

/// `packaging.tags._py_interpreter_range`: `py311`, `py3`, `py310` ... `py30`.
fn py_interpreter_range((major, minor): (u64, u64)) -> Vec<String> {
    let mut out = vec![format!("py{major}{minor}"), format!("py{major}")];
    out.extend((0..minor).rev().map(|m| format!("py{major}{m}")));
    out
}

/// `packaging.tags.compatible_tags(python_version, interpreter, platforms)`.
pub fn compatible_tags(
    version: (u64, u64),
    interpreter: Option<&str>,
    platforms: &[String],
) -> Vec<Tag> {
    let range = py_interpreter_range(version);
    let mut tags = Vec::new();
    for python in &range {
        for platform in platforms {
            tags.push(Tag::new(python, "none", platform));
        }
    }
    if let Some(interpreter) = interpreter {
        tags.push(Tag::new(interpreter, "none", "any"));
    }
    tags.extend(range.iter().map(|python| Tag::new(python, "none", "any")));
    tags
}

/// `packaging.tags.platform_tags()`, for the described machine.
pub fn platform_tags(platform: &PlatformInfo) -> Vec<String> {
    match platform {
        PlatformInfo::Linux(linux) => linux_platforms(linux),
        PlatformInfo::MacOs {
            version,
            cpu_arch,
            is_32bit,
        } => {
            let arch = if !*is_32bit {
                cpu_arch.as_str()
            } else if cpu_arch.starts_with("ppc") {
                "ppc"
            } else {
                "i386"
            };
            mac_platforms(*version, arch)
        }
        PlatformInfo::Other { sysconfig_platform } => {
            vec![normalize_platform_string(sysconfig_platform)]
        }
    }
}

/// `packaging.tags._linux_platforms`: `linux_<arch>` first (packaging >= 26.3), then
/// manylinux, then musllinux.
pub fn linux_platforms(linux: &LinuxPlatform) -> Vec<String> {
    let mut platform = normalize_platform_string(&linux.sysconfig_platform);
    if !platform.starts_with("linux_") {
        return vec![platform];
    }
    if linux.is_32bit {
        if platform == "linux_x86_64" {
            platform = "linux_i686".to_string();
        } else if platform == "linux_aarch64" {
            platform = "linux_armv8l".to_string();
        }
    }
    let arch = &platform["linux_".len()..];
    let archs: Vec<&str> = if arch == "armv8l" {
        vec!["armv8l", "armv7l"]
    } else {
        vec![arch]
    };
    let mut out: Vec<String> = archs.iter().map(|a| format!("linux_{a}")).collect();
    out.extend(manylinux_platforms(linux, &archs));
    out.extend(musllinux_platforms(linux.musl, &archs));
    out
}

/// Architectures manylinux wheels exist for without an ELF check.
const MANYLINUX_ARCHS: [&str; 7] = [
    "x86_64",
    "aarch64",
    "ppc64",
    "ppc64le",
    "s390x",
    "loongarch64",
    "riscv64",
];

/// `packaging._manylinux.platform_tags`: from the running glibc down to the architecture's
/// oldest manylinux (2.5 on x86, 2.17 elsewhere), each legacy alias right after its PEP 600
/// twin.
fn manylinux_platforms(linux: &LinuxPlatform, archs: &[&str]) -> Vec<String> {
    let compatible_abi = if archs.contains(&"armv7l") {
        linux.elf.is_some_and(|e| e.is_linux_armhf())
    } else if archs.contains(&"i686") {
        linux.elf.is_some_and(|e| e.is_linux_i686())
    } else {
        archs.iter().any(|a| MANYLINUX_ARCHS.contains(a))
    };
    let Some(current) = linux.glibc else {
        return Vec::new();
    };
    if !compatible_abi {
        return Vec::new();
    }
    // (major, minor) below which nothing is generated.
    let too_old: (u32, u32) = if archs.iter().any(|a| *a == "x86_64" || *a == "i686") {
        (2, 4)
    } else {
        (2, 16)
    };
    // glibc promises compatibility across major versions, so a glibc 3.x host would list
    // 3.x down to 3.0, then 2.50 (packaging's guess at glibc 2's last minor) and below.
    let mut maxima = vec![current];
    maxima.extend((2..current.0).rev().map(|major| (major, 50)));

    let mut out = Vec::new();
    for arch in archs {
        for &(major, max_minor) in &maxima {
            let lowest = if major == too_old.0 { too_old.1 + 1 } else { 0 };
            for minor in (lowest..=max_minor).rev() {
                let rejected = linux
                    .manylinux_rejected
                    .iter()
                    .any(|(a, b, r)| (*a, *b) == (major, minor) && r == arch);
                if (major, minor) > current || rejected {
                    continue;
                }
                out.push(format!("manylinux_{major}_{minor}_{arch}"));
                let legacy = match (major, minor) {
                    (2, 17) => Some("manylinux2014"),
                    (2, 12) => Some("manylinux2010"),
                    (2, 5) => Some("manylinux1"),
                    _ => None,
                };
                if let Some(legacy) = legacy {
                    out.push(format!("{legacy}_{arch}"));
                }
            }
        }
    }
    out
}

/// `packaging._musllinux.platform_tags`.
fn musllinux_platforms(musl: Option<(u32, u32)>, archs: &[&str]) -> Vec<String> {
    let Some((major, current)) = musl else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for arch in archs {
        for minor in (0..=current).rev() {
            out.push(format!("musllinux_{major}_{minor}_{arch}"));
        }
    }
    out
}

/// `packaging.tags._mac_binary_formats`.
fn mac_binary_formats(version: (u32, u32), cpu_arch: &str) -> Vec<&str> {
    let mut formats = vec![cpu_arch];
    match cpu_arch {
        "x86_64" => {
            if version < (10, 4) {
                return Vec::new();
            }
            formats.extend(["intel", "fat64", "fat3"]);
        }
        "i386" => {
            if version < (10, 4) {
                return Vec::new();
            }
            formats.extend(["intel", "fat3", "fat"]);
        }
        "ppc64" => {
            if !((10, 4)..=(10, 5)).contains(&version) {
                return Vec::new();
            }
            formats.push("fat64");
        }
        "ppc" => {
            if version > (10, 6) {
                return Vec::new();
            }
            formats.extend(["fat3", "fat"]);
        }
        _ => {}
    }
    if matches!(cpu_arch, "arm64" | "x86_64") {
        formats.push("universal2");
    }
    if matches!(cpu_arch, "x86_64" | "i386" | "ppc64" | "ppc" | "intel") {
        formats.push("universal");
    }
    formats
}

/// `packaging.tags.mac_platforms(version, arch)`.
pub fn mac_platforms(version: (u32, u32), arch: &str) -> Vec<String> {
    let mut out = Vec::new();
    if ((10, 0)..(11, 0)).contains(&version) {
        for minor in (0..=version.1).rev() {
            for format in mac_binary_formats((10, minor), arch) {
                out.push(format!("macosx_10_{minor}_{format}"));
            }
        }
    }
    if version >= (11, 0) {
        // Since macOS 11 the major version is the yearly one; minors are mid-year updates.
        for major in (11..=version.0).rev() {
            for format in mac_binary_formats((major, 0), arch) {
                out.push(format!("macosx_{major}_0_{format}"));
            }
        }
        // x86_64 on 11+ runs binaries for older releases; arm64 only universal2 ones.
        for minor in (4..=16).rev() {
            if arch == "x86_64" {
                for format in mac_binary_formats((10, minor), arch) {
                    out.push(format!("macosx_10_{minor}_{format}"));
                }
            } else {
                out.push(format!("macosx_10_{minor}_universal2"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn golden(name: &str) -> Vec<String> {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/tags")
            .join(format!("{name}.txt"));
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        text.lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .map(str::to_string)
            .collect()
    }

    fn strings(tags: &[Tag]) -> Vec<String> {
        tags.iter().map(Tag::to_string).collect()
    }

    fn cpython(version: (u64, u64), platform: PlatformInfo) -> TagEnvironment {
        TagEnvironment {
            implementation: "cpython".into(),
            python_version: version,
            py_version_nodot: Some(version_nodot(version)),
            abi: AbiConfig {
                py_debug: Some(false),
                with_pymalloc: Some(true),
                ext_suffix: Some(format!(
                    ".cpython-{}-x86_64-linux-gnu.so",
                    version_nodot(version)
                )),
                ..AbiConfig::default()
            },
            platform,
        }
    }

    const ELF_X86_64: ElfHeader = ElfHeader {
        class: 2,
        data: 1,
        machine: 62,
        flags: 0,
    };

    fn linux(arch: &str, glibc: Option<(u32, u32)>, musl: Option<(u32, u32)>) -> PlatformInfo {
        PlatformInfo::Linux(LinuxPlatform {
            sysconfig_platform: format!("linux-{arch}"),
            is_32bit: false,
            glibc,
            musl,
            elf: Some(ELF_X86_64),
            manylinux_rejected: Vec::new(),
        })
    }

    fn assert_golden(name: &str, env: &TagEnvironment) {
        let expected = golden(name);
        let actual = strings(&sys_tags(env));
        if let Some(i) = (0..expected.len().min(actual.len())).find(|&i| expected[i] != actual[i]) {
            panic!(
                "{name}: first difference at index {i}: expected {}, got {}",
                expected[i], actual[i]
            );
        }
        assert_eq!(actual.len(), expected.len(), "{name}: tag count");
    }

    #[test]
    fn golden_cp311_x86_64_glibc_2_36() {
        let env = cpython((3, 11), linux("x86_64", Some((2, 36)), None));
        assert_golden("cp311-x86_64-glibc2.36", &env);
        // The shape the reference describes: 914 tags, native linux tag first.
        let tags = Tags::from_environment(&env);
        assert_eq!(tags.len(), 914);
        assert_eq!(tags.ordered[0].to_string(), "cp311-cp311-linux_x86_64");
    }

    #[test]
    fn golden_cp39_aarch64_glibc_2_17() {
        let env = cpython((3, 9), linux("aarch64", Some((2, 17)), None));
        assert_golden("cp39-aarch64-glibc2.17", &env);
    }

    #[test]
    fn golden_cp312_x86_64_musl_1_2() {
        let env = cpython((3, 12), linux("x86_64", None, Some((1, 2))));
        assert_golden("cp312-x86_64-musl1.2", &env);
    }

    #[test]
    fn golden_cp313_x86_64_glibc_2_28() {
        let env = cpython((3, 13), linux("x86_64", Some((2, 28)), None));
        assert_golden("cp313-x86_64-glibc2.28", &env);
    }

    #[test]
    fn golden_free_threaded_debug_and_pymalloc_abis() {
        let mut env = cpython((3, 13), linux("x86_64", Some((2, 28)), None));
        env.abi.gil_disabled = true;
        assert_eq!(cpython_abis((3, 13), &env.abi), ["cp313t"]);
        assert_golden("cp313t-x86_64-glibc2.28", &env);

        let mut env = cpython((3, 12), linux("x86_64", Some((2, 36)), None));
        env.abi.py_debug = Some(true);
        assert_eq!(cpython_abis((3, 12), &env.abi), ["cp312d", "cp312"]);
        assert_golden("cp312d-x86_64-glibc2.36", &env);

        let env = cpython((3, 7), linux("x86_64", Some((2, 31)), None));
        assert_eq!(cpython_abis((3, 7), &env.abi), ["cp37m"]);
        assert_golden("cp37m-x86_64-glibc2.31", &env);
    }

    #[test]
    fn golden_32_bit_linux() {
        let armhf = ElfHeader {
            class: 1,
            data: 1,
            machine: ELF_MACHINE_ARM,
            flags: EF_ARM_ABI_VER5 | EF_ARM_ABI_FLOAT_HARD,
        };
        let env = cpython(
            (3, 10),
            PlatformInfo::Linux(LinuxPlatform {
                sysconfig_platform: "linux-aarch64".into(),
                is_32bit: true,
                glibc: Some((2, 31)),
                musl: None,
                elf: Some(armhf),
                manylinux_rejected: Vec::new(),
            }),
        );
        assert_golden("cp310-armv8l-glibc2.31", &env);

        let i386 = ElfHeader {
            class: 1,
            data: 1,
            machine: ELF_MACHINE_I386,
            flags: 0,
        };
        let env = cpython(
            (3, 11),
            PlatformInfo::Linux(LinuxPlatform {
                sysconfig_platform: "linux-x86_64".into(),
                is_32bit: true,
                glibc: Some((2, 17)),
                musl: None,
                elf: Some(i386),
                manylinux_rejected: Vec::new(),
            }),
        );
        assert_golden("cp311-i686-glibc2.17", &env);
    }

    #[test]
    fn golden_pypy_macos_windows() {
        let env = TagEnvironment {
            implementation: "pypy".into(),
            python_version: (3, 10),
            py_version_nodot: Some("310".into()),
            abi: AbiConfig {
                ext_suffix: Some(".pypy310-pp73-x86_64-linux-gnu.so".into()),
                ..AbiConfig::default()
            },
            platform: linux("x86_64", Some((2, 36)), None),
        };
        assert_golden("pp310-x86_64-glibc2.36", &env);

        let mac = |version, arch: &str| PlatformInfo::MacOs {
            version,
            cpu_arch: arch.into(),
            is_32bit: false,
        };
        assert_golden(
            "cp312-macosx14-arm64",
            &cpython((3, 12), mac((14, 4), "arm64")),
        );
        assert_golden(
            "cp39-macosx10.15-x86_64",
            &cpython((3, 9), mac((10, 15), "x86_64")),
        );
        let windows = PlatformInfo::Other {
            sysconfig_platform: "win-amd64".into(),
        };
        assert_golden("cp312-win_amd64", &cpython((3, 12), windows));
    }

    #[test]
    fn manylinux_hook_and_elf_mismatch_remove_tags() {
        let mut platform = LinuxPlatform {
            sysconfig_platform: "linux-x86_64".into(),
            is_32bit: false,
            glibc: Some((2, 28)),
            musl: None,
            elf: Some(ELF_X86_64),
            manylinux_rejected: vec![(2, 28, "x86_64".into()), (2, 17, "x86_64".into())],
        };
        let platforms = linux_platforms(&platform);
        assert_eq!(
            platforms[..3],
            [
                "linux_x86_64",
                "manylinux_2_27_x86_64",
                "manylinux_2_26_x86_64"
            ]
        );
        assert!(!platforms.iter().any(|p| p == "manylinux_2_17_x86_64"));
        // The legacy alias goes with its PEP 600 twin.
        assert!(!platforms.iter().any(|p| p == "manylinux2014_x86_64"));
        assert!(platforms.iter().any(|p| p == "manylinux2010_x86_64"));

        // A 32-bit interpreter whose binary is not i386 gets no manylinux tags at all.
        platform.is_32bit = true;
        platform.manylinux_rejected.clear();
        assert_eq!(linux_platforms(&platform), ["linux_i686"]);
    }

    #[test]
    fn generic_abi_from_ext_suffix() {
        let abi = |suffix: &str| {
            generic_abi(
                (3, 10),
                &AbiConfig {
                    ext_suffix: Some(suffix.into()),
                    ..AbiConfig::default()
                },
            )
        };
        assert_eq!(abi(".cpython-310-x86_64-linux-gnu.so"), ["cp310"]);
        assert_eq!(abi(".cp310-win_amd64.pyd"), ["cp310"]);
        assert_eq!(abi(".pypy38-pp73-x86_64-linux-gnu.so"), ["pypy38_pp73"]);
        assert_eq!(
            abi(".graalpy-38-native-x86_64-darwin.dylib"),
            ["graalpy_38_native"]
        );
        assert!(abi("so").is_empty());
    }

    fn wheel(filename: &str) -> WheelFilename {
        filename.parse().expect("valid wheel filename")
    }

    #[test]
    fn priority_picks_lowest_index_over_the_expanded_sets() {
        let tags = Tags::from_environment(&cpython((3, 11), linux("x86_64", Some((2, 36)), None)));
        let at = |s: &str| tags.rank(&s.parse().expect("tag")).expect("supported");
        assert_eq!(
            tags.priority(&wheel("a-1-cp311-cp311-linux_x86_64.whl")),
            Some(0)
        );
        assert_eq!(
            tags.priority(&wheel(
                "numpy-2.0.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
            )),
            Some(at("cp311-cp311-manylinux_2_17_x86_64"))
        );
        assert_eq!(
            tags.priority(&wheel("six-1.16.0-py2.py3-none-any.whl")),
            Some(at("py3-none-any"))
        );
        assert!(
            tags.priority(&wheel("a-1-cp311-abi3-manylinux_2_28_x86_64.whl"))
                < tags.priority(&wheel("a-1-py3-none-any.whl"))
        );
        assert_eq!(
            tags.priority(&wheel("a-1-cp312-cp312-manylinux_2_17_x86_64.whl")),
            None
        );
    }

    #[test]
    fn incompatibility_names_the_failing_part() {
        let tags = Tags::from_environment(&cpython((3, 11), linux("x86_64", Some((2, 36)), None)));
        let why = |f: &str| tags.incompatibility(&wheel(f));
        assert_eq!(
            why("a-1-cp312-cp312-manylinux_2_17_x86_64.whl"),
            "built for Python 3.12 (cp312), this interpreter is Python 3.11 (cp311)"
        );
        assert_eq!(
            why("a-1-cp39-cp39-manylinux_2_17_x86_64.whl"),
            "built for Python 3.9 (cp39), this interpreter is Python 3.11 (cp311)"
        );
        assert_eq!(
            why("a-1-py2-none-any.whl"),
            "built for Python 2 (py2), this interpreter is Python 3.11 (cp311)"
        );
        assert_eq!(
            why("a-1-cp311-cp311d-linux_x86_64.whl"),
            "built for a debug build of Python 3.11 (ABI `cp311d`), this interpreter is \
             Python 3.11 and accepts the ABIs `cp311`, `abi3`, `none` for `cp311`"
        );
        let mut free_threaded = cpython((3, 13), linux("x86_64", Some((2, 28)), None));
        free_threaded.abi.gil_disabled = true;
        let free_threaded = Tags::from_environment(&free_threaded);
        assert_eq!(
            free_threaded.incompatibility(&wheel("a-1-cp313-cp313-manylinux_2_17_x86_64.whl")),
            "built for Python 3.13 (ABI `cp313`), this interpreter is a free-threaded build of \
             Python 3.13 and accepts the ABIs `cp313t`, `abi3t`, `none` for `cp313`"
        );
        assert_eq!(
            free_threaded.incompatibility(&wheel("a-1-cp39-abi3-manylinux_2_17_x86_64.whl")),
            "built for the stable ABI (ABI `abi3`), this interpreter is a free-threaded build of \
             Python 3.13 and accepts the ABIs `abi3t` for `cp39`"
        );
        assert_eq!(
            why("a-1-cp311-cp311-manylinux_2_39_x86_64.whl"),
            "built for Linux x86_64 with glibc 2.39 or newer (`manylinux_2_39_x86_64`); this \
             system is Linux x86_64 with glibc 2.36"
        );
        assert_eq!(
            why("a-1-cp311-cp311-manylinux_2_17_aarch64.manylinux2014_aarch64.whl"),
            "built for Linux aarch64 with glibc 2.17 or newer (`manylinux_2_17_aarch64`) or \
             Linux aarch64 with glibc 2.17 or newer (`manylinux2014_aarch64`); this system is \
             Linux x86_64 with glibc 2.36"
        );
        assert_eq!(
            why("a-1-cp311-cp311-macosx_11_0_arm64.whl"),
            "built for macOS 11.0 on arm64 (`macosx_11_0_arm64`); this system is Linux x86_64 \
             with glibc 2.36"
        );
        assert_eq!(
            why("a-1-cp311-cp311-musllinux_1_2_x86_64.whl"),
            "built for Linux x86_64 with musl 1.2 or newer (`musllinux_1_2_x86_64`); this \
             system is Linux x86_64 with glibc 2.36"
        );
        assert_eq!(
            why("a-1-py3-none-any.whl"),
            "compatible with this interpreter"
        );
    }

    #[test]
    fn tag_parsing() {
        assert_eq!(
            "CP311-abi3-Linux_x86_64".parse::<Tag>(),
            Ok(Tag::new("cp311", "abi3", "linux_x86_64"))
        );
        assert!("py2.py3-none-any".parse::<Tag>().is_err());
        assert!("py3-none".parse::<Tag>().is_err());
        assert!("py3-none-any-x".parse::<Tag>().is_err());
    }
}
