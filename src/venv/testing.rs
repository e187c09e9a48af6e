//! Test support: a [`Target`] for the machine's real `python3`, filled by asking it directly,
//! because `target::probe` belongs to another stage and unit tests here must not depend on it.

use std::path::PathBuf;
use std::process::Command;

use crate::packaging::{MarkerEnvironment, Tags};
use crate::target::{Libc, Target, VenvLayout};

const QUERY: &str = r#"
import json, os, platform, sys, sysconfig
scheme = "venv" if "venv" in sysconfig.get_scheme_names() else "posix_prefix"
base = "/__verse_base__"
v = {"base": base, "platbase": base, "installed_base": base, "installed_platbase": base}
def rel(key):
    return os.path.relpath(sysconfig.get_path(key, scheme=scheme, vars=v), base)
print(json.dumps({
    "executable": sys.executable,
    "base_executable": getattr(sys, "_base_executable", sys.executable),
    "prefix": sys.prefix,
    "base_prefix": sys.base_prefix,
    "version": list(sys.version_info[:3]),
    "implementation": sys.implementation.name,
    "purelib": rel("purelib"),
    "platlib": rel("platlib"),
    "scripts": rel("scripts"),
    "include": "include/site/python%d.%d" % sys.version_info[:2],
    "platform_release": platform.release(),
    "platform_version": platform.version(),
    "platform_machine": platform.machine(),
}))
"#;

/// Describes the interpreter `python` (e.g. `python3`) the way `target::probe` will.
pub(crate) fn target_for(python: &str) -> Target {
    let out = Command::new(python)
        .args(["-I", "-c", QUERY])
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("probe json");
    let s = |k: &str| v[k].as_str().expect(k).to_string();
    let version: Vec<u64> = v["version"]
        .as_array()
        .expect("version")
        .iter()
        .map(|n| n.as_u64().expect("int"))
        .collect();
    let full_version = format!("{}.{}.{}", version[0], version[1], version[2]);
    let short_version = format!("{}.{}", version[0], version[1]);
    let markers = MarkerEnvironment::try_from(pep508_rs::MarkerEnvironmentBuilder {
        implementation_name: &s("implementation"),
        implementation_version: &full_version,
        os_name: "posix",
        platform_machine: &s("platform_machine"),
        platform_python_implementation: "CPython",
        platform_release: &s("platform_release"),
        platform_system: "Linux",
        platform_version: &s("platform_version"),
        python_full_version: &full_version,
        python_version: &short_version,
        sys_platform: "linux",
    })
    .expect("markers");
    Target {
        executable: PathBuf::from(s("executable")),
        base_executable: PathBuf::from(s("base_executable")),
        prefix: PathBuf::from(s("prefix")),
        base_prefix: PathBuf::from(s("base_prefix")),
        version: (version[0], version[1], version[2]),
        full_version,
        implementation: s("implementation"),
        markers,
        tags: Tags::default(),
        venv_layout: VenvLayout {
            purelib: PathBuf::from(s("purelib")),
            platlib: PathBuf::from(s("platlib")),
            scripts: PathBuf::from(s("scripts")),
            include: PathBuf::from(s("include")),
            data: PathBuf::new(),
        },
        libc: Libc::Unknown,
    }
}

/// The machine's `python3`.
pub(crate) fn python3_target() -> Target {
    target_for("python3")
}
