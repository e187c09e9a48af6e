//! The interpreter verse installs for. It is run once with an embedded probe script; the
//! answer gives the PEP 508 marker environment, the compatibility tags in priority order,
//! the layout of a venv made from it, and whether it already is a venv.
//!
//! The probe script only reports facts; tag order and ABI names are decided in
//! [`crate::packaging::tags`], which is tested without an interpreter. This module does not
//! create or inspect venvs (that is `venv`), and it runs the interpreter exactly once.

pub mod flags;
mod probe_cache;

pub use probe_cache::probe_cached;

use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use pep508_rs::MarkerEnvironmentBuilder;
use serde::Deserialize;

use crate::packaging::tags::{AbiConfig, ElfHeader, LinuxPlatform, PlatformInfo, TagEnvironment};
use crate::packaging::{MarkerEnvironment, Tags};

/// A probed interpreter.
#[derive(Clone, Debug)]
pub struct Target {
    /// The interpreter as invoked (`sys.executable`), unresolved.
    pub executable: PathBuf,
    /// The base interpreter a new venv should link to (`sys._base_executable`, for a venv's
    /// interpreter the base installation's binary).
    pub base_executable: PathBuf,
    /// `sys.prefix` and `sys.base_prefix`; they differ inside a venv.
    pub prefix: PathBuf,
    pub base_prefix: PathBuf,
    /// (major, minor, micro) of the interpreter.
    pub version: (u64, u64, u64),
    /// `python_full_version` as the marker environment has it (e.g. `3.11.7`).
    pub full_version: String,
    /// `sys.implementation.name` (`cpython`, `pypy`, ...).
    pub implementation: String,
    pub markers: MarkerEnvironment,
    pub tags: Tags,
    /// Install paths of a venv made from this interpreter, relative to the venv root.
    pub venv_layout: VenvLayout,
    /// glibc or musl version, for manylinux/musllinux tags.
    pub libc: Libc,
}

/// Where things go inside a venv, relative to its root (from sysconfig's `venv` scheme).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VenvLayout {
    pub purelib: PathBuf,
    pub platlib: PathBuf,
    pub scripts: PathBuf,
    /// Headers go to `<include>/<distribution name>/`; pip uses `include/site/pythonX.Y`.
    pub include: PathBuf,
    /// `.data/data` goes here; the venv root itself, i.e. empty.
    pub data: PathBuf,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Libc {
    Glibc {
        major: u32,
        minor: u32,
    },
    Musl {
        major: u32,
        minor: u32,
    },
    /// Not Linux, or neither libc was found.
    Unknown,
}

impl Target {
    /// Whether the probed interpreter runs inside a virtual environment.
    pub fn is_venv(&self) -> bool {
        self.prefix != self.base_prefix
    }

    /// `(major, minor)`, the part that must match between a venv and its base interpreter.
    pub fn python_version(&self) -> (u64, u64) {
        (self.version.0, self.version.1)
    }
}

/// The oldest Python verse installs for; the probe script refuses older ones itself.
pub const MINIMUM_PYTHON: (u64, u64) = (3, 7);

/// How long a probe may take. A cold interpreter on a slow disk answers in a few seconds;
/// a wrapper script that waits for something must not hang verse forever.
const PROBE_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("no Python interpreter at `{python}`: the file does not exist")]
    NotFound { python: PathBuf },
    #[error("cannot execute `{python}`: {reason}")]
    NotExecutable { python: PathBuf, reason: String },
    #[error("cannot run the Python interpreter `{python}`")]
    Spawn {
        python: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`{python}` does not look like a Python interpreter: {detail}")]
    NotPython { python: PathBuf, detail: String },
    #[error(
        "`{python}` is Python {version}, which verse does not support: it needs Python {}.{} \
         or newer",
        MINIMUM_PYTHON.0,
        MINIMUM_PYTHON.1
    )]
    TooOld { python: PathBuf, version: String },
    #[error("the Python interpreter `{python}` did not answer within {} seconds", .timeout.as_secs())]
    Timeout { python: PathBuf, timeout: Duration },
    #[error("the Python interpreter `{python}` failed to describe itself: {detail}")]
    Failed { python: PathBuf, detail: String },
}

/// The embedded probe; see the comments at its top for the protocol.
const PROBE_SCRIPT: &str = include_str!("probe.py");

/// Runs `python` once and describes it.
///
/// `python` is used as given: a bare name is looked up on `PATH`, and a venv's interpreter
/// is not resolved (its `base_executable` says what a new venv should link to).
pub fn probe(python: &Path) -> Result<Target, ProbeError> {
    probe_answer(python).map(|(target, _)| target)
}

/// Probes `python`; on success also returns the probe's raw answer (what the cache keeps).
fn probe_answer(python: &Path) -> Result<(Target, Vec<u8>), ProbeError> {
    let output = run_probe(python)?;
    let answer: ProbeAnswer = serde_json::from_slice(&output.stdout)
        .map_err(|_| not_python_or_failed(python, &output))?;
    match answer {
        ProbeAnswer::Ok(info) => target_from_probe(python, *info).map(|t| (t, output.stdout)),
        ProbeAnswer::Error(failure) => Err(match failure.kind.as_str() {
            "unsupported_python" => ProbeError::TooOld {
                python: python.to_path_buf(),
                version: failure.version.unwrap_or_else(|| "unknown".into()),
            },
            _ => ProbeError::Failed {
                python: python.to_path_buf(),
                detail: failure
                    .detail
                    .unwrap_or(failure.kind)
                    .trim_end()
                    .to_string(),
            },
        }),
    }
}

/// The target described by a successful answer kept earlier; `None` if it is not one.
fn target_from_answer(python: &Path, stdout: &[u8]) -> Option<Target> {
    match serde_json::from_slice(stdout).ok()? {
        ProbeAnswer::Ok(info) => target_from_probe(python, *info).ok(),
        ProbeAnswer::Error(_) => None,
    }
}

/// What came back from one run of the interpreter.
struct RawOutput {
    status: ExitStatus,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

fn run_probe(python: &Path) -> Result<RawOutput, ProbeError> {
    // `-S` skips `site`, half of the probe's start-up (every `.pth` of the base install is
    // read and run). It is left on for a venv's interpreter: there `site` is what sets
    // `sys.prefix` to the venv on every Python up to 3.13, and the probe reads it. A venv this
    // cannot see (behind a shim or wrapper script, or a bare name) the probe finds by
    // `sys.executable` and runs `site` for itself.
    let flags: &[&str] = if in_a_venv(python) {
        &["-I", "-B"]
    } else {
        &["-I", "-S", "-B"]
    };
    let output = run(
        python,
        &[flags, &["-c", PROBE_SCRIPT]].concat(),
        // Otherwise macOS reports 10.16 to interpreters built against an old SDK.
        &[("SYSTEM_VERSION_COMPAT", "0")],
    )?;
    if !output.status.success() && stderr_text(&output).contains("Unknown option: -I") {
        // Python < 3.4 has no isolated mode, so the probe cannot even start.
        return Err(ProbeError::TooOld {
            python: python.to_path_buf(),
            version: old_python_version(python).unwrap_or_else(|| "older than 3.4".into()),
        });
    }
    Ok(output)
}

/// Whether `python` starts as a venv's interpreter: where CPython itself looks for
/// `pyvenv.cfg`, beside the executable (not resolving its links) or one directory up.
fn in_a_venv(python: &Path) -> bool {
    let Some(dir) = python.parent() else {
        return true;
    };
    dir.join("pyvenv.cfg").exists()
        || dir
            .parent()
            .is_some_and(|up| up.join("pyvenv.cfg").exists())
}

/// `python -V` (Python 2 prints it to stderr), only to word the "too old" error.
fn old_python_version(python: &Path) -> Option<String> {
    let output = run(python, &["-V"], &[]).ok()?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        stderr_text(&output)
    );
    text.trim()
        .strip_prefix("Python ")
        .map(|v| v.trim().to_string())
}

fn stderr_text(output: &RawOutput) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs the interpreter with a deadline, collecting both pipes on threads so a chatty
/// child cannot deadlock on a full pipe.
fn run(python: &Path, args: &[&str], env: &[(&str, &str)]) -> Result<RawOutput, ProbeError> {
    let spawn_error = |source: std::io::Error| spawn_error(python, source);
    if python.components().count() > 1 && !python.exists() {
        return Err(ProbeError::NotFound {
            python: python.to_path_buf(),
        });
    }
    if python.is_dir() {
        return Err(ProbeError::NotExecutable {
            python: python.to_path_buf(),
            reason: "it is a directory".into(),
        });
    }
    let mut command = Command::new(python);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    // ETXTBSY: an executable written a moment ago (a venv being made, a wrapper script) is
    // refused while a process forked meanwhile still holds it open for writing; that fork
    // execs or exits within milliseconds.
    let mut attempts = 0;
    let mut child = loop {
        match command.spawn() {
            Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy && attempts < 20 => {
                attempts += 1;
                std::thread::sleep(Duration::from_millis(10));
            }
            other => break other.map_err(spawn_error)?,
        }
    };
    let stdout = child.stdout.take().map(read_on_thread);
    let stderr = child.stderr.take().map(read_on_thread);
    let deadline = Instant::now() + PROBE_TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().map_err(spawn_error)? {
            break status;
        }
        if Instant::now() >= deadline {
            // The child may have exited in between; either way it is gone after this.
            let _ = child.kill();
            let _ = child.wait();
            return Err(ProbeError::Timeout {
                python: python.to_path_buf(),
                timeout: PROBE_TIMEOUT,
            });
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let collect = |reader: Option<std::thread::JoinHandle<Vec<u8>>>| {
        reader
            .map(|handle| handle.join().unwrap_or_default())
            .unwrap_or_default()
    };
    Ok(RawOutput {
        status,
        stdout: collect(stdout),
        stderr: collect(stderr),
    })
}

fn read_on_thread<R: Read + Send + 'static>(mut pipe: R) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buffer = Vec::new();
        // A read error leaves what was read so far; the JSON check then reports it.
        let _ = pipe.read_to_end(&mut buffer);
        buffer
    })
}

fn spawn_error(python: &Path, source: std::io::Error) -> ProbeError {
    let python = python.to_path_buf();
    match source.kind() {
        ErrorKind::NotFound => ProbeError::NotFound { python },
        ErrorKind::PermissionDenied => ProbeError::NotExecutable {
            python,
            reason: "permission denied (is it marked executable?)".into(),
        },
        // ENOEXEC: a file without a shebang or a binary for another machine.
        _ if source.raw_os_error() == Some(8) => ProbeError::NotPython {
            python,
            detail: "the file is not a program this system can run".into(),
        },
        _ => ProbeError::Spawn { python, source },
    }
}

/// The interpreter's stdout was not the probe's JSON: either it is no Python at all, or a
/// Python that crashed (a traceback on stderr says which).
fn not_python_or_failed(python: &Path, output: &RawOutput) -> ProbeError {
    let stderr = stderr_text(output);
    let stdout = String::from_utf8_lossy(&output.stdout);
    // The first line: wrappers (pyenv shims, shells, the dynamic loader) and CPython's own
    // "Fatal Python error" state the cause first and add advice or context after it.
    // Tracebacks, whose cause is last, are kept whole above.
    let first_line = |text: &str| {
        let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
        let first = lines.next()?;
        let first: String = first.chars().take(200).collect();
        Some(match lines.count() {
            0 => format!("`{first}`"),
            1 => format!("`{first}` (and 1 more line)"),
            more => format!("`{first}` (and {more} more lines)"),
        })
    };
    if stderr.contains("Traceback (most recent call last)") {
        return ProbeError::Failed {
            python: python.to_path_buf(),
            detail: stderr.trim_end().to_string(),
        };
    }
    let status = match output.status.code() {
        Some(code) => format!("it exited with status {code}"),
        None => "it was killed by a signal".to_string(),
    };
    let said = first_line(&stderr)
        .or_else(|| first_line(&stdout))
        .map(|said| format!(" and printed {said}"))
        .unwrap_or_default();
    let detail = if output.status.success() {
        format!("it did not print the probe's answer{said}")
    } else {
        format!("{status}{said}")
    };
    ProbeError::NotPython {
        python: python.to_path_buf(),
        detail,
    }
}

// The probe's JSON. Field names are the script's; see probe.py.

#[derive(Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
enum ProbeAnswer {
    Ok(Box<ProbeInfo>),
    Error(ProbeFailure),
}

#[derive(Deserialize)]
struct ProbeFailure {
    kind: String,
    version: Option<String>,
    detail: Option<String>,
}

#[derive(Deserialize)]
struct ProbeInfo {
    markers: ProbeMarkers,
    executable: PathBuf,
    base_executable: PathBuf,
    prefix: PathBuf,
    base_prefix: PathBuf,
    version: (u64, u64, u64),
    implementation: String,
    venv_layout: ProbeLayout,
    pointer_size: u32,
    config: ProbeConfig,
    has_gettotalrefcount: bool,
    extension_suffixes: Vec<String>,
    elf: Option<ProbeElf>,
    platform: ProbePlatform,
}

#[derive(Deserialize)]
struct ProbeMarkers {
    implementation_name: String,
    implementation_version: String,
    os_name: String,
    platform_machine: String,
    platform_python_implementation: String,
    platform_release: String,
    platform_system: String,
    platform_version: String,
    python_full_version: String,
    python_version: String,
    sys_platform: String,
}

#[derive(Deserialize)]
struct ProbeLayout {
    purelib: String,
    platlib: String,
    scripts: String,
    data: String,
    include: String,
}

/// sysconfig values: ints, strings or None, as Python has them.
#[derive(Deserialize)]
#[allow(non_snake_case)]
struct ProbeConfig {
    py_version_nodot: Option<serde_json::Value>,
    Py_DEBUG: Option<serde_json::Value>,
    Py_GIL_DISABLED: Option<serde_json::Value>,
    WITH_PYMALLOC: Option<serde_json::Value>,
    EXT_SUFFIX: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct ProbeElf {
    class: u8,
    data: u8,
    machine: u16,
    flags: u32,
}

#[derive(Deserialize)]
struct ProbePlatform {
    system: String,
    sysconfig_platform: String,
    mac_version: Option<Vec<u32>>,
    mac_arch: Option<String>,
    glibc: Option<(u32, u32)>,
    musl: Option<(u32, u32)>,
    manylinux_rejected: Option<Vec<(u32, u32, String)>>,
}

/// Python truthiness of a sysconfig value; `None` when the variable is unset.
fn truthy(value: &Option<serde_json::Value>) -> Option<bool> {
    use serde_json::Value;
    match value.as_ref()? {
        Value::Null => None,
        Value::Bool(b) => Some(*b),
        Value::Number(n) => Some(n.as_f64() != Some(0.0)),
        Value::String(s) => Some(!s.is_empty()),
        Value::Array(a) => Some(!a.is_empty()),
        Value::Object(o) => Some(!o.is_empty()),
    }
}

fn config_string(value: &Option<serde_json::Value>) -> Option<String> {
    match value.as_ref()? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `/lib/python3.11/site-packages` (sysconfig expanded with an empty base) → relative;
/// `.` (the data directory) → empty.
fn relative(path: &str) -> PathBuf {
    let trimmed = path.trim_start_matches(['/', '\\']);
    if trimmed == "." {
        PathBuf::new()
    } else {
        PathBuf::from(trimmed)
    }
}

fn target_from_probe(python: &Path, info: ProbeInfo) -> Result<Target, ProbeError> {
    let failed = |detail: String| ProbeError::Failed {
        python: python.to_path_buf(),
        detail,
    };
    if (info.version.0, info.version.1) < MINIMUM_PYTHON {
        return Err(ProbeError::TooOld {
            python: python.to_path_buf(),
            version: format!("{}.{}.{}", info.version.0, info.version.1, info.version.2),
        });
    }
    let m = &info.markers;
    let markers = MarkerEnvironment::try_from(MarkerEnvironmentBuilder {
        implementation_name: &m.implementation_name,
        implementation_version: &m.implementation_version,
        os_name: &m.os_name,
        platform_machine: &m.platform_machine,
        platform_python_implementation: &m.platform_python_implementation,
        platform_release: &m.platform_release,
        platform_system: &m.platform_system,
        platform_version: &m.platform_version,
        python_full_version: &m.python_full_version,
        python_version: &m.python_version,
        sys_platform: &m.sys_platform,
    })
    .map_err(|e| failed(format!("its version markers do not parse: {e}")))?;

    let is_32bit = info.pointer_size == 4;
    let platform = &info.platform;
    let platform_info = match platform.system.as_str() {
        "Linux" => PlatformInfo::Linux(LinuxPlatform {
            sysconfig_platform: platform.sysconfig_platform.clone(),
            is_32bit,
            glibc: platform.glibc,
            musl: platform.musl,
            elf: info.elf.as_ref().map(|e| ElfHeader {
                class: e.class,
                data: e.data,
                machine: e.machine,
                flags: e.flags,
            }),
            manylinux_rejected: platform.manylinux_rejected.clone().unwrap_or_default(),
        }),
        "Darwin" => match (platform.mac_version.as_deref(), platform.mac_arch.as_ref()) {
            (Some([major, minor, ..]), Some(arch)) => PlatformInfo::MacOs {
                version: (*major, *minor),
                cpu_arch: arch.clone(),
                is_32bit,
            },
            _ => return Err(failed("it did not report its macOS version".into())),
        },
        // Windows, the BSDs, ...: packaging's generic platform (iOS, Android and
        // Emscripten have their own tag schemes, which verse does not target).
        _ => PlatformInfo::Other {
            sysconfig_platform: platform.sysconfig_platform.clone(),
        },
    };
    let environment = TagEnvironment {
        implementation: info.implementation.clone(),
        python_version: (info.version.0, info.version.1),
        py_version_nodot: config_string(&info.config.py_version_nodot),
        abi: AbiConfig {
            py_debug: truthy(&info.config.Py_DEBUG),
            has_gettotalrefcount: info.has_gettotalrefcount,
            extension_suffixes: info.extension_suffixes.clone(),
            gil_disabled: truthy(&info.config.Py_GIL_DISABLED).unwrap_or(false),
            with_pymalloc: truthy(&info.config.WITH_PYMALLOC),
            ext_suffix: config_string(&info.config.EXT_SUFFIX),
        },
        platform: platform_info,
    };
    let libc = match (platform.glibc, platform.musl) {
        (Some((major, minor)), _) => Libc::Glibc { major, minor },
        (None, Some((major, minor))) => Libc::Musl { major, minor },
        (None, None) => Libc::Unknown,
    };
    let layout = &info.venv_layout;
    Ok(Target {
        executable: info.executable,
        base_executable: info.base_executable,
        prefix: info.prefix,
        base_prefix: info.base_prefix,
        version: info.version,
        full_version: m.python_full_version.clone(),
        implementation: info.implementation,
        tags: Tags::from_environment(&environment),
        markers,
        venv_layout: VenvLayout {
            purelib: relative(&layout.purelib),
            platlib: relative(&layout.platlib),
            scripts: relative(&layout.scripts),
            include: relative(&layout.include),
            data: relative(&layout.data),
        },
        libc,
    })
}

#[cfg(test)]
mod tests {
    //! These run real interpreters: `python3` from `PATH` (required), and the pyenv
    //! versions 2.7, 3.6, 3.9 and 3.13 when installed (skipped with a note otherwise).

    use super::*;
    use crate::packaging::Tag;
    use std::os::unix::fs::PermissionsExt;

    /// The probe of a venv's interpreter must see the venv (it runs with `site` there), and
    /// the probe of a base interpreter, run without `site`, must see the base.
    #[test]
    fn a_venv_interpreter_is_probed_as_the_venv_and_a_base_one_as_the_base() {
        let base = probe(Path::new("python3")).expect("python3 probes");
        let dir = tempfile::tempdir().unwrap();
        let venv = dir.path().join("venv");
        let status = Command::new("python3")
            .args(["-m", "venv", "--without-pip"])
            .arg(&venv)
            .status()
            .unwrap();
        assert!(status.success());
        let python = venv.join("bin/python");
        assert!(in_a_venv(&python));
        assert!(!in_a_venv(&base.base_executable));
        let inside = probe(&python).expect("the venv's python probes");
        assert_eq!(inside.prefix, venv.canonicalize().unwrap());
        assert_ne!(inside.prefix, base.prefix);
    }

    /// The probe writes its JSON, parses glibc's version and reads `platform`'s answers
    /// without importing json, re or platform (start-up time): each shortcut must give what
    /// the module would, on every interpreter at hand.
    #[test]
    fn the_probe_shortcuts_agree_with_the_modules_they_replace() {
        let definitions = PROBE_SCRIPT
            .split("\ntry:\n    main()")
            .next()
            .expect("the probe ends by calling main()");
        assert_ne!(
            definitions.len(),
            PROBE_SCRIPT.len(),
            "main() call not found"
        );
        let checks = r#"
import json, platform, re
values = ["a\"b\\c", u"\u00e9\u2028\x00\x1f\x7f ~", u"\U0001F600", u"\udc80", "", [1, None, True, False],
          {"k": -3, "nested": {"l": [[], {}]}}]
for value in values:
    assert to_json(value) == json.dumps(value), (value, to_json(value), json.dumps(value))
for text in ["2.35", "2.17-foo", "2a.3", "2.", "2.x", ".5", "10.04.1", "2"]:
    match = re.match(r"([0-9]+)\.([0-9]+)", text)
    expected = [int(match.group(1)), int(match.group(2))] if match else None
    assert parse_glibc(text) == expected, (text, parse_glibc(text), expected)
mine = platform_module()
for name in ["python_version", "machine", "release", "system", "version",
             "python_implementation", "python_version_tuple"]:
    assert list(getattr(mine, name)()) == list(getattr(platform, name)()), name
print("agree")
"#;
        let code = format!("{definitions}\n{checks}");
        let mut pythons = vec![PathBuf::from("python3")];
        pythons.extend(["3.7", "3.9", "3.13"].iter().filter_map(|v| pyenv(v)));
        for python in pythons {
            let output = Command::new(&python)
                .args(["-I", "-S", "-B", "-c", &code])
                .output()
                .expect("python runs");
            assert_eq!(
                String::from_utf8_lossy(&output.stdout).trim(),
                "agree",
                "{}: {}",
                python.display(),
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }

    fn pyenv(version: &str) -> Option<PathBuf> {
        let root = std::env::var_os("PYENV_ROOT")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pyenv")))?;
        let mut found: Vec<PathBuf> = std::fs::read_dir(root.join("versions"))
            .ok()?
            .filter_map(Result::ok)
            .filter(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.strip_prefix(version)
                    .is_some_and(|rest| rest.starts_with('.'))
            })
            .map(|e| e.path().join("bin/python"))
            .filter(|p| p.exists())
            .collect();
        found.sort();
        let found = found.pop();
        if found.is_none() {
            eprintln!("note: no pyenv Python {version} on this machine; skipping that part");
        }
        found
    }

    /// Output of a small Python snippet run by `python` (for oracles).
    fn python_says(python: &Path, code: &str) -> Option<String> {
        let output = Command::new(python).args(["-c", code]).output().ok()?;
        output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
    }

    fn assert_layout(target: &Target) {
        let (major, minor) = target.python_version();
        let layout = &target.venv_layout;
        let site = PathBuf::from(format!("lib/python{major}.{minor}/site-packages"));
        assert_eq!(layout.purelib, site);
        assert_eq!(layout.platlib, site);
        assert_eq!(layout.scripts, PathBuf::from("bin"));
        assert_eq!(
            layout.include,
            PathBuf::from(format!("include/site/python{major}.{minor}"))
        );
        assert_eq!(layout.data, PathBuf::new());
    }

    #[test]
    fn probes_python3_like_packaging_sees_it() {
        let target = probe(Path::new("python3")).expect("python3 probes");
        assert!(target.executable.is_absolute(), "{:?}", target.executable);
        assert!(target.base_executable.exists());
        assert_eq!(target.implementation, "cpython");
        assert!(target.python_version() >= MINIMUM_PYTHON);
        assert_layout(&target);
        if cfg!(target_os = "linux") {
            assert!(matches!(
                target.libc,
                Libc::Glibc { .. } | Libc::Musl { .. }
            ));
        }

        // The marker environment, value for value, against packaging's own.
        let oracle = python_says(
            Path::new("python3"),
            "import json; from pip._vendor.packaging.markers import default_environment as d; \
             print(json.dumps(d()))",
        )
        .expect("python3 has pip");
        let oracle: std::collections::BTreeMap<String, String> =
            serde_json::from_str(&oracle).expect("json");
        let m = &target.markers;
        let ours = [
            ("implementation_name", m.implementation_name().to_string()),
            (
                "implementation_version",
                m.implementation_version().string.clone(),
            ),
            ("os_name", m.os_name().to_string()),
            ("platform_machine", m.platform_machine().to_string()),
            (
                "platform_python_implementation",
                m.platform_python_implementation().to_string(),
            ),
            ("platform_release", m.platform_release().to_string()),
            ("platform_system", m.platform_system().to_string()),
            ("platform_version", m.platform_version().to_string()),
            (
                "python_full_version",
                m.python_full_version().string.clone(),
            ),
            ("python_version", m.python_version().string.clone()),
            ("sys_platform", m.sys_platform().to_string()),
        ];
        for (key, value) in ours {
            assert_eq!(oracle.get(key), Some(&value), "marker {key}");
        }
        assert_eq!(target.full_version, m.python_full_version().string);
    }

    /// Our order with packaging < 26.3's placement of `linux_<arch>`: last within each run
    /// of tags sharing (python, abi), instead of first.
    fn with_linux_last(tags: &[Tag]) -> Vec<String> {
        let mut out = Vec::with_capacity(tags.len());
        let mut start = 0;
        while start < tags.len() {
            let key = (&tags[start].python, &tags[start].abi);
            let end = tags[start..]
                .iter()
                .position(|t| (&t.python, &t.abi) != key)
                .map_or(tags.len(), |n| start + n);
            let run = &tags[start..end];
            let (linux, rest): (Vec<&Tag>, Vec<&Tag>) =
                run.iter().partition(|t| t.platform.starts_with("linux_"));
            out.extend(rest.iter().chain(linux.iter()).map(|t| t.to_string()));
            start = end;
        }
        out
    }

    /// The interpreter's own view, from the packaging that its pip vendors. pip's vendored
    /// packaging is older than 26.3 and puts `linux_<arch>` last; the comparison is made
    /// modulo that documented change, and modulo `cpXY-none-any`, which packaging 21.3 (in
    /// pip 23.x) did not yield yet and 24.1 (in pip 24.2) does.
    fn assert_tags_match_pip(python: &Path) {
        let target = probe(python).expect("probe");
        let Some(oracle) = python_says(
            python,
            "from pip._vendor.packaging import tags; print('\\n'.join(map(str, tags.sys_tags())))",
        ) else {
            eprintln!(
                "note: {} has no pip; skipping its tag comparison",
                python.display()
            );
            return;
        };
        let oracle: Vec<&str> = oracle.lines().collect();
        let mut ours = with_linux_last(&target.tags.ordered);
        let cp_none_any = format!("{}-none-any", target.tags.ordered[0].python);
        if !oracle.contains(&cp_none_any.as_str()) {
            ours.retain(|t| *t != cp_none_any);
        }
        assert_eq!(ours.len(), oracle.len(), "{}: tag count", python.display());
        for (i, (a, b)) in ours.iter().zip(&oracle).enumerate() {
            assert_eq!(a, b, "{}: tag {i}", python.display());
        }
    }

    #[test]
    fn tags_match_the_interpreters_own_view() {
        assert_tags_match_pip(Path::new("python3"));
        // 3.9 and 3.13 are the ones the task asks for; the others cost little and cover
        // the `m` ABI flag of 3.7 and the minimum supported version.
        for version in ["3.7", "3.8", "3.9", "3.10", "3.12", "3.13"] {
            if let Some(python) = pyenv(version) {
                assert_tags_match_pip(&python);
            }
        }
    }

    #[test]
    fn probes_old_and_new_pythons() {
        for (version, expected, abi) in [
            ("3.7", (3, 7), "cp37m"),
            ("3.9", (3, 9), "cp39"),
            ("3.13", (3, 13), "cp313"),
        ] {
            let Some(python) = pyenv(version) else {
                continue;
            };
            let target = probe(&python).expect("probe");
            assert_eq!(target.python_version(), expected);
            assert!(!target.is_venv());
            assert_layout(&target);
            let first = &target.tags.ordered[0];
            assert_eq!(first.python, format!("cp{}{}", expected.0, expected.1));
            assert_eq!(first.abi, abi);
        }
    }

    /// A venv's python must never be what a new venv links to.
    fn assert_venv_points_at_base(base: &Path) {
        let dir = tempfile::tempdir().expect("tempdir");
        let venv = dir.path().join("venv");
        let status = Command::new(base)
            .args(["-m", "venv", "--without-pip"])
            .arg(&venv)
            .status()
            .expect("python -m venv");
        assert!(status.success());
        let target = probe(&venv.join("bin/python")).expect("probe venv python");
        assert!(target.is_venv());
        assert!(
            target.executable.starts_with(&venv),
            "{:?}",
            target.executable
        );
        assert!(
            !target.base_executable.starts_with(&venv),
            "base {:?} is inside the venv",
            target.base_executable
        );
        let base_target = probe(base).expect("probe base");
        let canonical = |p: &Path| std::fs::canonicalize(p).expect("canonicalize");
        assert_eq!(
            canonical(&target.base_executable),
            canonical(&base_target.executable)
        );
        assert_eq!(target.version, base_target.version);
        assert_eq!(target.base_prefix, base_target.prefix);
    }

    #[test]
    fn venv_interpreters_resolve_to_their_base() {
        // 3.11+ computes sys._base_executable; 3.9 leaves it at the venv's python.
        for version in ["3.11", "3.9"] {
            if let Some(python) = pyenv(version) {
                assert_venv_points_at_base(&python);
            }
        }
    }

    /// A venv's interpreter reached through something that is not the venv's own `bin/python`
    /// (a pyenv shim, a wrapper script, a bare name found on `PATH`): verse cannot see the
    /// venv from the path it was given, so the probe runs without `site` and must still see
    /// the venv, and on Pythons before 3.11 a base executable outside it.
    #[test]
    fn a_venv_reached_through_a_wrapper_is_probed_as_the_venv() {
        for version in ["3.12", "3.10"] {
            let Some(base) = pyenv(version) else { continue };
            let dir = tempfile::tempdir().expect("tempdir");
            let venv = dir.path().join("venv");
            let status = Command::new(&base)
                .args(["-m", "venv", "--without-pip"])
                .arg(&venv)
                .status()
                .expect("python -m venv");
            assert!(status.success());
            let shims = dir.path().join("shims");
            std::fs::create_dir(&shims).unwrap();
            let wrapper = shims.join("python");
            std::fs::write(
                &wrapper,
                format!(
                    "#!/bin/sh\nexec '{}' \"$@\"\n",
                    venv.join("bin/python").display()
                ),
            )
            .unwrap();
            std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
            assert!(!in_a_venv(&wrapper));
            let target = probe(&wrapper).expect("the wrapper probes");
            assert!(target.is_venv(), "{version}: {:?}", target.prefix);
            let canonical = |p: &Path| std::fs::canonicalize(p).expect("canonicalize");
            assert_eq!(canonical(&target.prefix), canonical(&venv), "{version}");
            assert!(
                !target.base_executable.starts_with(&venv),
                "{version}: base {:?} is inside the venv",
                target.base_executable
            );
        }
    }

    #[test]
    fn pep600_manylinux_module_is_obeyed() {
        if !cfg!(target_os = "linux") {
            return;
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let venv = dir.path().join("venv");
        let status = Command::new("python3")
            .args(["-m", "venv", "--without-pip"])
            .arg(&venv)
            .status()
            .expect("python3 -m venv");
        assert!(status.success());
        let python = venv.join("bin/python");
        let before = probe(&python).expect("probe");
        let (major, minor) = before.python_version();
        let site = venv.join(format!("lib/python{major}.{minor}/site-packages"));
        // A distributor saying "glibc 2.17 and newer are not really supported here".
        std::fs::write(
            site.join("_manylinux.py"),
            "def manylinux_compatible(major, minor, arch):\n    \
             return False if (major, minor) >= (2, 17) else None\n",
        )
        .expect("write _manylinux.py");
        let after = probe(&python).expect("probe");
        let platforms = |t: &Target| -> Vec<String> {
            t.tags
                .ordered
                .iter()
                .filter(|t| t.python == t.abi)
                .map(|t| t.platform.clone())
                .collect()
        };
        let (before, after) = (platforms(&before), platforms(&after));
        assert!(before.iter().any(|p| p.starts_with("manylinux_2_17_")));
        assert!(!after.iter().any(|p| p.starts_with("manylinux_2_17_")
            || p.starts_with("manylinux2014_")
            || p.starts_with("manylinux_2_3")));
        assert!(after.iter().any(|p| p.starts_with("manylinux_2_16_")));
        assert!(after.iter().any(|p| p.starts_with("manylinux2010_")));
    }

    fn script(dir: &Path, name: &str, body: &str, mode: u32) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, body).expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).expect("chmod");
        path
    }

    #[test]
    fn clear_errors_for_things_that_are_not_a_usable_python() {
        let dir = tempfile::tempdir().expect("tempdir");
        let missing = dir.path().join("nope/python3");
        assert!(
            matches!(probe(&missing), Err(ProbeError::NotFound { python }) if python == missing)
        );
        assert!(matches!(
            probe(Path::new("verse-no-such-python-on-path")),
            Err(ProbeError::NotFound { .. })
        ));

        let not_executable = script(dir.path(), "python-noexec", "#!/bin/sh\n", 0o644);
        let err = probe(&not_executable).unwrap_err();
        assert!(matches!(err, ProbeError::NotExecutable { .. }), "{err:?}");
        assert!(err.to_string().contains("python-noexec"), "{err}");

        let err = probe(dir.path()).unwrap_err();
        assert!(matches!(err, ProbeError::NotExecutable { .. }), "{err:?}");

        let echo = script(dir.path(), "echo-python", "#!/bin/sh\necho hello\n", 0o755);
        let err = probe(&echo).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "`{}` does not look like a Python interpreter: it did not print the probe's \
                 answer and printed `hello`",
                echo.display()
            )
        );

        let failing = script(
            dir.path(),
            "failing-python",
            "#!/bin/sh\necho 'no such thing' >&2\nexit 3\n",
            0o755,
        );
        let err = probe(&failing).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "`{}` does not look like a Python interpreter: it exited with status 3 and \
                 printed `no such thing`",
                failing.display()
            )
        );

        // A wrapper (a pyenv shim, a shell) says what is wrong first and adds advice after:
        // the first line is the cause, and the error must keep it.
        let shim = script(
            dir.path(),
            "python3.12",
            "#!/bin/sh\necho 'pyenv: python3.12: command not found' >&2\necho >&2\n\
             echo 'Note: See pyenv help global for tips on allowing multiple' >&2\n\
             echo '      Python versions to be found at the same time.' >&2\nexit 127\n",
            0o755,
        );
        let err = probe(&shim).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "`{}` does not look like a Python interpreter: it exited with status 127 and \
                 printed `pyenv: python3.12: command not found` (and 2 more lines)",
                shim.display()
            )
        );

        let garbage = script(dir.path(), "garbage", "\x01\x02\x03\x04", 0o755);
        assert!(matches!(probe(&garbage), Err(ProbeError::NotPython { .. })));
    }

    #[test]
    fn too_old_pythons_are_named_with_their_version() {
        for (version, full) in [("3.6", "3.6."), ("2.7", "2.7.")] {
            let Some(python) = pyenv(version) else {
                continue;
            };
            match probe(&python) {
                Err(ProbeError::TooOld {
                    python: path,
                    version,
                }) => {
                    assert_eq!(path, python);
                    assert!(version.starts_with(full), "{version}");
                }
                other => panic!("{}: expected TooOld, got {other:?}", python.display()),
            }
        }
    }

    #[test]
    fn layout_paths_become_relative() {
        assert_eq!(
            relative("/lib/python3.11/site-packages"),
            PathBuf::from("lib/python3.11/site-packages")
        );
        assert_eq!(
            relative("\\Lib\\site-packages"),
            PathBuf::from("Lib\\site-packages")
        );
        assert_eq!(relative("."), PathBuf::new());
        assert_eq!(relative("/bin"), PathBuf::from("bin"));
    }

    #[test]
    fn sysconfig_truthiness() {
        use serde_json::json;
        assert_eq!(truthy(&None), None);
        assert_eq!(truthy(&Some(json!(null))), None);
        assert_eq!(truthy(&Some(json!(0))), Some(false));
        assert_eq!(truthy(&Some(json!(1))), Some(true));
        assert_eq!(truthy(&Some(json!(""))), Some(false));
        assert_eq!(config_string(&Some(json!(311))), Some("311".into()));
    }
}
