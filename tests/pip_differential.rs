//! verse's wheel install against pip's, on the same wheels.
//!
//! Small real wheels are built with the zip crate; verse installs them into one venv (made by
//! `verse::venv::create`), pip 23.2 (from `python3 -m venv`) into another with
//! `pip install --no-deps --no-index --no-compile --find-links DIR NAME`. Then the files each
//! one added are compared: paths, contents (with the venv root substituted), modes, RECORD rows.
//!
//! Allowed differences, each checked to be exactly that and nothing more:
//! * INSTALLER holds `verse\n` instead of `pip\n`, so its RECORD hash and size differ.
//! * Launcher bodies: pip 23.2 still uses distlib's template (`# -*- coding` line, `import re`);
//!   verse writes pip 26's. The shebang lines must be equal, both launchers must run and print the
//!   same thing, and their RECORD rows differ only in hash and size.
//! * pip keeps the RECORD row of a `.data/scripts` setuptools wrapper it skipped, pointing at
//!   `<name>.data/scripts/<ep>`, a file that is never installed; verse drops rows for files it did
//!   not install (uv's "RECORD heal"), so uninstall can only remove what the wheel put there.
//!
//! Not compared, because verse refuses such wheels where pip installs them: symlink entries
//! (pip writes a plain file holding the link text), members RECORD does not list or whose bytes
//! do not match their RECORD hash (see `tests/it/hostile.rs`).

#[path = "../src/install/test_wheel.rs"]
mod test_wheel;

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use test_wheel::TestWheel;
use verse::install::{self, WheelOptions};
use verse::packaging::{MarkerEnvironment, Tags, WheelFilename};
use verse::target::{Libc, Target, VenvLayout};

/// The machine's `python3`, described by asking it (what `target::probe` will do).
fn python3_target() -> Target {
    let query = r#"
import json, os, sys, sysconfig
b = "/__base__"
v = {"base": b, "platbase": b, "installed_base": b, "installed_platbase": b}
rel = lambda k: os.path.relpath(sysconfig.get_path(k, scheme="venv", vars=v), b)
print(json.dumps([sys._base_executable, sys.prefix, list(sys.version_info[:3]),
                  rel("purelib"), rel("platlib"), rel("scripts")]))
"#;
    let out = Command::new("python3")
        .args(["-I", "-c", query])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let s = |i: usize| v[i].as_str().unwrap().to_string();
    let version: Vec<u64> = v[2]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_u64().unwrap())
        .collect();
    let full = format!("{}.{}.{}", version[0], version[1], version[2]);
    let short = format!("{}.{}", version[0], version[1]);
    let markers = MarkerEnvironment::try_from(pep508_rs::MarkerEnvironmentBuilder {
        implementation_name: "cpython",
        implementation_version: &full,
        os_name: "posix",
        platform_machine: std::env::consts::ARCH,
        platform_python_implementation: "CPython",
        platform_release: "",
        platform_system: "Linux",
        platform_version: "",
        python_full_version: &full,
        python_version: &short,
        sys_platform: "linux",
    })
    .unwrap();
    Target {
        executable: PathBuf::from(s(0)),
        base_executable: PathBuf::from(s(0)),
        prefix: PathBuf::from(s(1)),
        base_prefix: PathBuf::from(s(1)),
        version: (version[0], version[1], version[2]),
        full_version: full,
        implementation: "cpython".into(),
        markers,
        tags: Tags::default(),
        venv_layout: VenvLayout {
            purelib: PathBuf::from(s(3)),
            platlib: PathBuf::from(s(4)),
            scripts: PathBuf::from(s(5)),
            include: PathBuf::from(format!("include/site/python{short}")),
            data: PathBuf::new(),
        },
        libc: Libc::Unknown,
    }
}

type Tree = BTreeMap<String, (u32, Vec<u8>)>;

/// Regular files under `root` (relative path → mode, content), symlinks as their target.
fn tree(root: &Path) -> Tree {
    fn walk(root: &Path, dir: &Path, out: &mut Tree) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&path).unwrap();
                out.insert(rel, (0, target.to_string_lossy().as_bytes().to_vec()));
            } else if meta.is_dir() {
                walk(root, &path, out);
            } else {
                let mode = meta.permissions().mode() & 0o7777;
                out.insert(rel, (mode, std::fs::read(&path).unwrap()));
            }
        }
    }
    let mut out = Tree::new();
    walk(root, root, &mut out);
    out
}

fn added(before: &Tree, after: &Tree) -> Tree {
    after
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn replace_bytes(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if haystack[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    out
}

fn wheels() -> Vec<TestWheel> {
    vec![
        TestWheel::new("demo-pkg", "1.0")
            .file(
                "demo_pkg/__init__.py",
                "def main():\n    print('demo main')\n    return 0\n",
            )
            .file("demo_pkg/sub/mod.py", "X = 1\n")
            .executable("demo_pkg/tool.sh", "#!/bin/sh\necho tool\n")
            .file("nspkg/demo_part/__init__.py", "PART = 'demo'\n")
            .data("purelib/demo_extra_pure.py", "EXTRA = 'pure'\n")
            .data("platlib/demo_extra_plat.py", "EXTRA = 'plat'\n")
            .data("headers/demo.h", "int demo;\n")
            .data("data/share/demo/data.txt", "data\n")
            .data_executable(
                "scripts/demo-hashbang",
                "#!python\nimport demo_pkg\nprint('hashbang')\n",
            )
            .data_executable("scripts/demo-hashbang-w", "#!pythonw -E\r\nprint('w')\n")
            .data("scripts/demo-plain.sh", "#!/bin/sh\necho plain\n")
            .data_executable("scripts/demo", "#!python\nraise SystemExit('wrapper')\n")
            .entry_points(
                "[console_scripts]\ndemo = demo_pkg:main\ndemo-attr = demo_pkg:main.__call__\n\n\
                 [gui_scripts]\ndemo-gui = demo_pkg:main\n\n[other.group]\nx = demo_pkg:main\n",
            ),
        TestWheel::new("plat-part", "2.0.1")
            .file("nspkg/plat_part/__init__.py", "PART = 'plat'\n")
            .executable("plat_part_bin.so", "\x7fELF not really\n")
            .platlib(),
    ]
}

fn filename_of(wheel: &TestWheel) -> WheelFilename {
    WheelFilename {
        name: wheel.name.parse().unwrap(),
        version: wheel.version.parse().unwrap(),
        build: None,
        python_tags: vec!["py3".into()],
        abi_tags: vec!["none".into()],
        platform_tags: vec!["any".into()],
    }
}

/// `a/b/../c` → `a/c`, as text.
fn normalize(path: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir => {
                parts.pop();
            }
            other => parts.push(other.as_os_str().to_string_lossy().into_owned()),
        }
    }
    parts.join("/")
}

fn digest_and_size(content: &[u8]) -> [String; 2] {
    use base64::Engine;
    use sha2::Digest;
    let digest =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(content));
    [format!("sha256={digest}"), content.len().to_string()]
}

fn record_rows(content: &[u8]) -> Vec<Vec<String>> {
    String::from_utf8(content.to_vec())
        .unwrap()
        .split_terminator("\r\n")
        .map(|line| line.split(',').map(str::to_string).collect())
        .collect()
}

/// What a comparison leaves for further checks.
struct Installed {
    _tmp: tempfile::TempDir,
    /// verse's venv.
    venv: verse::venv::Venv,
    /// pip's venv root.
    pip_root: PathBuf,
    /// The files verse added, relative to its venv root.
    added: Tree,
    /// RECORD rows pip wrote for files it never installed (setuptools wrapper scripts).
    pip_stale_rows: Vec<String>,
}

/// Installs `wheels` (all in `wheel_dir`) with verse and with pip, and compares what each added.
/// pip is the venv's own (pip 23.2 from `python3 -m venv`), or run from `pip_wheel` (a pip
/// wheel file, e.g. pip 26) in a venv made `--without-pip`.
fn install_both_and_compare(
    wheel_dir: &Path,
    wheels: &[(PathBuf, WheelFilename)],
    pip_wheel: Option<&Path>,
) -> Installed {
    let tmp = tempfile::tempdir().unwrap();

    // verse, into venv "a".
    let a = tmp.path().join("a");
    let venv = verse::venv::create(&a, &python3_target()).unwrap();
    let a_before = tree(&a);
    for (path, filename) in wheels {
        let options = WheelOptions {
            requested: true,
            direct_url: None,
        };
        install::install_wheel(&venv, path, filename, &options).unwrap();
    }
    let a_added = added(&a_before, &tree(&a));

    // pip, into venv "b" (same path length, so only the root differs in contents).
    let b = tmp.path().join("b");
    let mut venv_command = Command::new("python3");
    venv_command.args(["-m", "venv"]);
    if pip_wheel.is_some() {
        venv_command.arg("--without-pip");
    }
    let status = venv_command.arg(&b).status().unwrap();
    assert!(status.success());
    let b_before = tree(&b);
    let mut pip = Command::new(b.join("bin/python"));
    match pip_wheel {
        Some(wheel) => pip.arg(wheel.join("pip")),
        None => pip.args(["-m", "pip"]),
    };
    pip.args([
        "install",
        "--no-deps",
        "--no-index",
        "--no-compile",
        "--disable-pip-version-check",
        "-q",
        "--find-links",
    ])
    .arg(wheel_dir)
    .args(wheels.iter().map(|(_, f)| f.name.to_string()));
    for (key, _) in std::env::vars() {
        if key.starts_with("PIP_") {
            pip.env_remove(key);
        }
    }
    let out = pip.output().unwrap();
    assert!(
        out.status.success(),
        "pip failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let b_root = b.to_str().unwrap().as_bytes();
    let a_root = a.to_str().unwrap().as_bytes();
    let b_raw: BTreeMap<String, Vec<u8>> = added(&b_before, &tree(&b))
        .into_iter()
        .map(|(k, (_, content))| (k, content))
        .collect();
    let b_added: Tree = added(&b_before, &tree(&b))
        .into_iter()
        .map(|(k, (mode, content))| (k, (mode, replace_bytes(&content, b_root, a_root))))
        .collect();

    // The same files, with the same modes.
    let only_verse: Vec<&String> = a_added
        .keys()
        .filter(|k| !b_added.contains_key(*k))
        .collect();
    let only_pip: Vec<&String> = b_added
        .keys()
        .filter(|k| !a_added.contains_key(*k))
        .collect();
    assert!(
        only_verse.is_empty() && only_pip.is_empty(),
        "only verse: {only_verse:?}\nonly pip: {only_pip:?}"
    );

    // Launchers: verse writes pip 26's template, pip 23.2 distlib's; same shebang, import and
    // call. (Against pip 26 they are identical, and compared like any other file.)
    let is_launcher = |path: &str, a: &[u8], b: &[u8]| {
        path.starts_with("bin/")
            && contains(a, b"    sys.argv[0] = sys.argv[0].removesuffix('.exe')\n")
            && contains(b, b"import re\n")
    };
    let mut launchers = Vec::new();
    let mut pip_stale_rows = Vec::new();
    for (path, (a_mode, a_content)) in &a_added {
        let (b_mode, b_content) = &b_added[path];
        assert_eq!(a_mode, b_mode, "mode of {path}");
        if is_launcher(path, a_content, b_content) {
            let lines = |c: &[u8]| -> Vec<String> {
                String::from_utf8_lossy(c)
                    .lines()
                    .filter(|l| {
                        l.starts_with("#!") || l.starts_with("from ") || l.contains("sys.exit(")
                    })
                    .map(str::to_string)
                    .collect()
            };
            assert_eq!(lines(a_content), lines(b_content), "launcher {path}");
            assert_eq!(lines(a_content).len(), 3, "launcher {path}");
            launchers.push(path.clone());
        } else if is_installed_metadata(path, "INSTALLER") {
            assert_eq!(a_content, b"verse\n");
            assert_eq!(b_content, b"pip\n");
        } else if is_installed_metadata(path, "RECORD") {
            let a_rows = record_rows(a_content);
            let mut b_rows = record_rows(b_content);
            let site = Path::new(path).parent().unwrap().parent().unwrap();
            // pip keeps rows for files it skipped (see the module comment); verse does not.
            b_rows.retain(|r| {
                let installed = normalize(&site.join(&r[0]));
                let keep = r[0].ends_with(".dist-info/RECORD") || b_raw.contains_key(&installed);
                if !keep {
                    pip_stale_rows.push(r[0].clone());
                }
                keep
            });
            assert_eq!(a_rows.len(), b_rows.len(), "{path}");
            for (a_row, b_row) in a_rows.iter().zip(&b_rows) {
                assert_eq!(a_row[0], b_row[0], "{path}: row order and paths");
                if a_row[0].ends_with(".dist-info/RECORD") {
                    assert_eq!(a_row, b_row);
                    continue;
                }
                // Both rows describe the file their own installer wrote (a file the wheel's
                // RECORD did not list gets an empty hash and size from both).
                let installed = normalize(&site.join(&a_row[0]));
                let (_, a_file) = &a_added[&installed];
                let b_file = &b_raw[&installed];
                if !a_row[1].is_empty() || !b_row[1].is_empty() {
                    assert_eq!(a_row[1..], digest_and_size(a_file), "{}", a_row[0]);
                    assert_eq!(b_row[1..], digest_and_size(b_file), "{}", b_row[0]);
                }
                // Rows may differ only where the files differ: generated files, or files that
                // embed the venv root (rewritten shebangs), whose contents were compared above.
                let embeds_root = contains(b_file, b_root);
                let generated =
                    installed.ends_with("/INSTALLER") || is_launcher(&installed, a_file, b_file);
                if !(generated || embeds_root) {
                    assert_eq!(a_row, b_row, "{path}: row for {}", a_row[0]);
                }
            }
        } else {
            assert_eq!(
                String::from_utf8_lossy(a_content),
                String::from_utf8_lossy(b_content),
                "content of {path}"
            );
        }
    }
    for stale in &pip_stale_rows {
        assert!(
            stale.contains(".data/scripts/"),
            "unexpected stale pip row {stale}"
        );
    }
    Installed {
        _tmp: tmp,
        venv,
        pip_root: b,
        added: a_added,
        pip_stale_rows,
    }
}

/// `<site-packages>/<name>.dist-info/<file>`: what the installers wrote. A `.dist-info`
/// deeper down is a package's vendored copy (bleach ships
/// `bleach/_vendor/html5lib-1.1.dist-info/INSTALLER` = `pip`), installed like any file.
fn is_installed_metadata(path: &str, file: &str) -> bool {
    let path = Path::new(path);
    let dist_info = path.parent();
    path.file_name().is_some_and(|n| n == file)
        && dist_info
            .and_then(Path::file_name)
            .is_some_and(|n| n.to_string_lossy().ends_with(".dist-info"))
        && dist_info
            .and_then(Path::parent)
            .and_then(Path::file_name)
            .is_some_and(|n| n == "site-packages")
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn verse_lays_out_wheels_like_pip() {
    let tmp = tempfile::tempdir().unwrap();
    let wheel_dir = tmp.path().join("wheels");
    std::fs::create_dir(&wheel_dir).unwrap();
    let wheels: Vec<(PathBuf, WheelFilename)> = wheels()
        .iter()
        .map(|w| (w.build(&wheel_dir), filename_of(w)))
        .collect();
    let result = install_both_and_compare(&wheel_dir, &wheels, None);
    let a = &result.venv.root;
    let a_paths: Vec<&String> = result.added.keys().collect();
    for expected in [
        "bin/demo",
        "bin/demo-attr",
        "bin/demo-gui",
        "bin/demo-hashbang-w",
        "bin/demo-plain.sh",
        "include/site/python3.11/demo-pkg/demo.h",
        "share/demo/data.txt",
        "lib/python3.11/site-packages/demo_extra_plat.py",
        "lib/python3.11/site-packages/nspkg/plat_part/__init__.py",
        "lib/python3.11/site-packages/plat_part-2.0.1.dist-info/REQUESTED",
    ] {
        assert!(
            result.added.contains_key(expected),
            "{expected} in {a_paths:?}"
        );
    }
    assert_eq!(result.pip_stale_rows, ["demo_pkg-1.0.data/scripts/demo"]);

    // Both installers' launchers run.
    for launcher in ["bin/demo", "bin/demo-attr", "bin/demo-gui"] {
        for root in [a, &result.pip_root] {
            let out = Command::new(root.join(launcher)).output().unwrap();
            assert_eq!(
                out.stdout,
                b"demo main\n",
                "{}",
                root.join(launcher).display()
            );
        }
    }

    // What verse installed works: imports across both wheels and the namespace package.
    let check = "import demo_pkg, demo_pkg.sub.mod, demo_extra_pure, demo_extra_plat; \
                 import nspkg.demo_part, nspkg.plat_part; \
                 print(nspkg.demo_part.PART, nspkg.plat_part.PART, demo_extra_plat.EXTRA)";
    let out = Command::new(a.join("bin/python"))
        .args(["-c", check])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "demo plat plat\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new(a.join("bin/demo-hashbang")).output().unwrap();
    assert_eq!(out.stdout, b"hashbang\n");

    // And the installed list is what was installed.
    let names: Vec<String> = install::installed(&result.venv)
        .unwrap()
        .iter()
        .map(|d| format!("{} {}", d.name, d.version))
        .collect();
    assert_eq!(names, ["demo-pkg 1.0", "plat-part 2.0.1"]);
}

/// The same comparison on real wheels from an index, for a manual check:
/// `pip download --no-deps --only-binary :all: -d DIR six click black ipykernel pyserial ...`,
/// then `VERSE_REAL_WHEELS=DIR cargo test --test pip_differential -- --ignored`. Leave out pip
/// and setuptools: pip's venv already has them, so they would replace rather than add files.
/// With `VERSE_PIP_WHEEL=<pip-26.x wheel>` pip runs from that wheel in a venv without pip, so
/// pip and setuptools wheels can be compared too, and launchers must match byte for byte.
#[test]
#[ignore = "needs VERSE_REAL_WHEELS=<directory of downloaded wheels>"]
fn verse_lays_out_real_wheels_like_pip() {
    let dir = PathBuf::from(std::env::var_os("VERSE_REAL_WHEELS").expect("VERSE_REAL_WHEELS"));
    let mut wheels: Vec<(PathBuf, WheelFilename)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "whl"))
        .map(|p| {
            let filename = p.file_name().unwrap().to_str().unwrap().parse().unwrap();
            (p, filename)
        })
        .collect();
    wheels.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(!wheels.is_empty());
    let pip_wheel = std::env::var_os("VERSE_PIP_WHEEL").map(PathBuf::from);
    let result = install_both_and_compare(&dir, &wheels, pip_wheel.as_deref());
    let dists = install::installed(&result.venv).unwrap();
    assert_eq!(dists.len(), wheels.len());

    // Byte-compile everything (pip would have), then uninstall it all: the venv is as new.
    let status = Command::new(&result.venv.python)
        .args(["-m", "compileall", "-q"])
        .arg(&result.venv.purelib)
        .env_remove("PYTHONDONTWRITEBYTECODE")
        .status()
        .unwrap();
    assert!(status.success());
    for dist in &dists {
        install::uninstall(&result.venv, dist).unwrap();
    }
    let left: Vec<String> = tree(&result.venv.root)
        .into_keys()
        .filter(|k| result.added.contains_key(k) || k.ends_with(".pyc"))
        .collect();
    assert!(left.is_empty(), "left after uninstall: {left:?}");
    let leftover_dirs: Vec<PathBuf> = std::fs::read_dir(&result.venv.purelib)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(leftover_dirs.is_empty(), "{leftover_dirs:?}");
    assert!(!result.venv.root.join("share").exists());
    assert!(!result.venv.root.join("include/site").exists());
    eprintln!(
        "{} wheels, {} files identical to pip's install apart from the allowed differences",
        wheels.len(),
        result.added.len()
    );
}
