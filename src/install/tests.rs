//! Unit tests of the install stage against real venvs and the real `python3`.

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::test_wheel::TestWheel;
use super::*;
use crate::packaging::WheelFilename;
use crate::venv::{self, testing};

struct Fixture {
    _dir: tempfile::TempDir,
    wheels: PathBuf,
    venv: Venv,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let wheels = dir.path().join("wheels");
    fs_err::create_dir(&wheels).unwrap();
    let venv = venv::create(&dir.path().join("venv"), &testing::python3_target()).unwrap();
    Fixture {
        _dir: dir,
        wheels,
        venv,
    }
}

impl Fixture {
    /// A directory for wheels other than the fixture's own (same names, other content).
    fn dir_for_other(&self) -> PathBuf {
        let dir = self._dir.path().join("other-wheels");
        fs_err::create_dir_all(&dir).unwrap();
        dir
    }
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

fn install(
    f: &Fixture,
    wheel: &TestWheel,
    options: &WheelOptions,
) -> Result<InstalledDistribution, InstallError> {
    let path = wheel.build(&f.wheels);
    install_wheel(&f.venv, &path, &filename_of(wheel), options)
}

/// Every file and link under `root`: relative path → (mode, content or link target).
fn tree(root: &Path) -> BTreeMap<String, (u32, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, (u32, Vec<u8>)>) {
        for entry in fs_err::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let meta = fs_err::symlink_metadata(&path).unwrap();
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let mode = meta.permissions().mode() & 0o7777;
            if meta.file_type().is_symlink() {
                let target = fs_err::read_link(&path).unwrap();
                out.insert(rel, (0, target.to_string_lossy().into_owned().into_bytes()));
            } else if meta.is_dir() {
                out.insert(format!("{rel}/"), (mode, Vec::new()));
                walk(root, &path, out);
            } else {
                out.insert(rel, (mode, fs_err::read(&path).unwrap()));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// Compares two trees, naming the paths that differ rather than dumping both.
fn assert_same_tree(
    left: &BTreeMap<String, (u32, Vec<u8>)>,
    right: &BTreeMap<String, (u32, Vec<u8>)>,
    what: &str,
) {
    let differing: Vec<&String> = left
        .keys()
        .chain(right.keys())
        .filter(|k| left.get(*k) != right.get(*k))
        .collect();
    assert!(differing.is_empty(), "{what}: {differing:?}");
}

fn demo_wheel() -> TestWheel {
    TestWheel::new("demo-pkg", "1.0")
        .file(
            "demo_pkg/__init__.py",
            "def main():\n    print('demo main')\n    return 0\n",
        )
        .file("demo_pkg/sub/mod.py", "X = 1\n")
        .executable("demo_pkg/tool.sh", "#!/bin/sh\necho tool\n")
        .file("nspkg/demo_part/__init__.py", "PART = 'demo'\n")
        .data("purelib/demo_extra.py", "EXTRA = 1\n")
        .data("headers/demo.h", "int demo;\n")
        .data("data/share/demo/data.txt", "data\n")
        .data_executable(
            "scripts/demo-hashbang",
            "#!python\nimport demo_pkg\nprint('hashbang')\n",
        )
        .data("scripts/demo-plain.sh", "#!/bin/sh\necho plain\n")
        // A setuptools wrapper of the `demo` entry point: pip skips it.
        .data_executable("scripts/demo", "#!python\nraise SystemExit('wrapper')\n")
        .entry_points(
            "[console_scripts]\ndemo = demo_pkg:main\ndemo-attr = demo_pkg:main.__call__\n\n\
             [gui_scripts]\ndemo-gui = demo_pkg:main\n",
        )
}

#[test]
fn installs_a_wheel_like_pip() {
    let f = fixture();
    let venv = &f.venv;
    let options = WheelOptions {
        requested: true,
        direct_url: Some(r#"{"archive_info": {}, "url": "file:///w.whl"}"#.into()),
    };
    let dist = install(&f, &demo_wheel(), &options).unwrap();
    assert_eq!(dist.dist_info, venv.purelib.join("demo_pkg-1.0.dist-info"));
    assert_eq!(dist.name.as_ref(), "demo-pkg");

    let sp = &venv.purelib;
    let python = venv.python.to_str().unwrap();
    assert_eq!(
        fs_err::read_to_string(venv.scripts.join("demo-hashbang")).unwrap(),
        format!("#!{python}\nimport demo_pkg\nprint('hashbang')\n")
    );
    let mode = |p: &Path| fs_err::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&venv.scripts.join("demo-hashbang")), 0o755);
    assert_eq!(
        mode(&venv.scripts.join("demo-plain.sh")),
        0o644,
        "pip keeps 0644"
    );
    assert_eq!(mode(&sp.join("demo_pkg/tool.sh")), 0o755);
    assert_eq!(mode(&sp.join("demo_pkg/__init__.py")), 0o644);
    assert_eq!(mode(&venv.scripts.join("demo")), 0o755);
    assert_eq!(
        fs_err::read_to_string(venv.root.join("include/site/python3.11/demo-pkg/demo.h")).unwrap(),
        "int demo;\n"
    );
    assert_eq!(
        fs_err::read_to_string(venv.root.join("share/demo/data.txt")).unwrap(),
        "data\n"
    );
    assert_eq!(
        fs_err::read_to_string(venv.scripts.join("demo")).unwrap(),
        format!(
            "#!{python}\nimport sys\nfrom demo_pkg import main\nif __name__ == '__main__':\n    \
             sys.argv[0] = sys.argv[0].removesuffix('.exe')\n    sys.exit(main())\n"
        ),
        "the launcher, not the skipped setuptools wrapper"
    );
    let info = &dist.dist_info;
    assert_eq!(fs_err::read(info.join("INSTALLER")).unwrap(), b"verse\n");
    assert_eq!(fs_err::read(info.join("REQUESTED")).unwrap(), b"");
    assert!(fs_err::read_to_string(info.join("direct_url.json"))
        .unwrap()
        .contains("archive_info"));

    let record = fs_err::read_to_string(info.join("RECORD")).unwrap();
    let rows: Vec<&str> = record.split_terminator("\r\n").collect();
    let paths: Vec<&str> = rows.iter().map(|r| r.split(',').next().unwrap()).collect();
    assert_eq!(
        paths,
        [
            "../../../bin/demo",
            "../../../bin/demo-attr",
            "../../../bin/demo-gui",
            "../../../bin/demo-hashbang",
            "../../../bin/demo-plain.sh",
            "../../../include/site/python3.11/demo-pkg/demo.h",
            "../../../share/demo/data.txt",
            "demo_extra.py",
            "demo_pkg-1.0.dist-info/INSTALLER",
            "demo_pkg-1.0.dist-info/METADATA",
            "demo_pkg-1.0.dist-info/RECORD",
            "demo_pkg-1.0.dist-info/REQUESTED",
            "demo_pkg-1.0.dist-info/WHEEL",
            "demo_pkg-1.0.dist-info/direct_url.json",
            "demo_pkg-1.0.dist-info/entry_points.txt",
            "demo_pkg/__init__.py",
            "demo_pkg/sub/mod.py",
            "demo_pkg/tool.sh",
            "nspkg/demo_part/__init__.py",
        ]
    );
    // Every row but RECORD's carries the digest and size of the file on disk now.
    for row in &rows {
        let fields: Vec<&str> = row.split(',').collect();
        if fields[0].ends_with("/RECORD") {
            assert_eq!(fields[1..], ["", ""]);
            continue;
        }
        let content = fs_err::read(sp.join(fields[0])).unwrap();
        assert_eq!(fields[1], record::digest(&content), "{}", fields[0]);
        assert_eq!(fields[2], content.len().to_string(), "{}", fields[0]);
    }

    // It runs: import, console script, rewritten #!python script.
    let out = Command::new(venv.scripts.join("demo")).output().unwrap();
    assert_eq!(out.stdout, b"demo main\n");
    let out = Command::new(venv.scripts.join("demo-hashbang"))
        .output()
        .unwrap();
    assert_eq!(out.stdout, b"hashbang\n");

    assert_eq!(installed(venv).unwrap(), vec![dist]);
}

#[test]
fn uninstall_removes_everything_it_installed() {
    let f = fixture();
    let before = tree(&f.venv.root);
    let dist = install(&f, &demo_wheel(), &WheelOptions::default()).unwrap();
    // A pyc as Python would write it, which RECORD does not list.
    let status = Command::new(&f.venv.python)
        .args(["-c", "import demo_pkg.sub.mod"])
        .env_remove("PYTHONDONTWRITEBYTECODE")
        .status()
        .unwrap();
    assert!(status.success());
    assert!(f.venv.purelib.join("demo_pkg/sub/__pycache__").is_dir());
    uninstall(&f.venv, &dist).unwrap();
    assert_same_tree(&tree(&f.venv.root), &before, "after uninstall");
    assert_eq!(installed(&f.venv).unwrap(), vec![]);
}

#[test]
fn uninstall_refuses_record_paths_outside_the_venv() {
    let f = fixture();
    let dist = install(
        &f,
        &TestWheel::new("evil", "1.0").file("evil.py", ""),
        &WheelOptions::default(),
    )
    .unwrap();
    let victim = f.wheels.join("victim.txt");
    fs_err::write(&victim, "keep me").unwrap();
    let record = dist.dist_info.join("RECORD");
    let mut text = fs_err::read_to_string(&record).unwrap();
    text.push_str("../../../../wheels/victim.txt,,\r\n/etc/hostname,,\r\n");
    fs_err::write(&record, text).unwrap();
    let err = uninstall(&f.venv, &dist).unwrap_err();
    assert!(
        matches!(&err, InstallError::UnsafeRecord { paths, .. } if paths.len() == 2),
        "{err:?}"
    );
    assert_eq!(fs_err::read_to_string(&victim).unwrap(), "keep me");
    assert!(!f.venv.purelib.join("evil.py").exists());
    assert!(!dist.dist_info.exists());
}

/// The install refuses to write the venv's interpreter links and pyvenv.cfg; removing a
/// distribution whose RECORD lists them (written by another tool, or edited) must not delete
/// them either, or the venv is broken for every later run.
#[test]
fn uninstall_never_removes_the_venvs_interpreter_or_pyvenv_cfg() {
    let f = fixture();
    let dist = install(
        &f,
        &TestWheel::new("greedy", "1.0").file("greedy.py", ""),
        &WheelOptions::default(),
    )
    .unwrap();
    let record = dist.dist_info.join("RECORD");
    let mut text = fs_err::read_to_string(&record).unwrap();
    text.push_str("../../../bin/python,,\r\n../../../bin/python3,,\r\n../../../pyvenv.cfg,,\r\n");
    fs_err::write(&record, text).unwrap();
    let err = uninstall(&f.venv, &dist).unwrap_err();
    assert!(
        matches!(&err, InstallError::UnsafeRecord { paths, .. } if paths.len() == 3),
        "{err:?}"
    );
    assert!(fs_err::symlink_metadata(f.venv.scripts.join("python")).is_ok());
    assert!(fs_err::symlink_metadata(f.venv.scripts.join("python3")).is_ok());
    assert!(f.venv.root.join("pyvenv.cfg").is_file());
    assert!(!f.venv.purelib.join("greedy.py").exists());
    assert!(!dist.dist_info.exists());
}

#[test]
fn hostile_or_malformed_wheels_are_rejected_before_writing() {
    let f = fixture();
    let before = tree(&f.venv.root);
    let base = || TestWheel::new("bad", "1.0").file("bad/__init__.py", "");
    let cases: Vec<(&str, TestWheel)> = vec![
        ("traversal", base().file("../../../../escape.py", "x")),
        ("absolute", base().file("/tmp/abs.py", "x")),
        (
            "traversal in data",
            base().data("data/../../../../../x", "x"),
        ),
        ("backslash", base().file("bad\\win.py", "x")),
        ("unknown scheme key", base().data("share/x", "x")),
        ("data without key", base().file("bad-1.0.data/x", "x")),
        (
            "entry point escaping bin",
            base().entry_points("[console_scripts]\n../evil = bad:main\n"),
        ),
        (
            "entry point without callable",
            base().entry_points("[console_scripts]\nb = bad\n"),
        ),
        (
            "entry point injection",
            base().entry_points("[console_scripts]\nb = os:system('x')\n"),
        ),
        ("replaces bin/python", base().data("scripts/python3", "x")),
        (
            "replaces bin/python via data",
            base().data("data/bin/python", "x"),
        ),
        ("replaces pyvenv.cfg", base().data("data/pyvenv.cfg", "x")),
        ("wrong name", base().with_dist_info("other-1.0.dist-info")),
        ("wrong version", base().with_dist_info("bad-2.0.dist-info")),
        (
            "two dist-infos",
            base().file("other-1.0.dist-info/METADATA", ""),
        ),
    ];
    for (what, wheel) in cases {
        let result = install(&f, &wheel, &WheelOptions::default());
        assert!(
            matches!(result, Err(InstallError::InvalidWheel { .. })),
            "{what}: {result:?}"
        );
        assert_same_tree(&tree(&f.venv.root), &before, what);
    }
}

#[test]
fn symlink_entries_and_files_missing_from_record_are_refused() {
    // pip writes the first as a plain file holding the link text and installs the second
    // with an empty RECORD row; verse refuses both, before writing anything.
    let f = fixture();
    let before = tree(&f.venv.root);
    let cases = [
        (
            TestWheel::new("links", "2.0").symlink("links/link", "/etc/passwd"),
            "links/link is a symbolic link (wheels hold regular files only)",
        ),
        (
            TestWheel::new("links", "2.0").unrecorded("links/extra.py", "E = 1\n"),
            "links/extra.py is not listed in RECORD",
        ),
    ];
    for (wheel, message) in cases {
        match install(&f, &wheel, &WheelOptions::default()) {
            Err(InstallError::InvalidWheel { message: m, .. }) => assert_eq!(m, message),
            other => panic!("{message}: {other:?}"),
        }
        assert_same_tree(&tree(&f.venv.root), &before, message);
    }
}

#[test]
fn concurrent_installs_share_namespace_directories() {
    let f = fixture();
    let wheels: Vec<TestWheel> = (0..8)
        .map(|i| {
            TestWheel::new(&format!("ns-part{i}"), "1.0")
                .file(&format!("ns/part{i}/__init__.py"), &format!("N = {i}\n"))
                .file("ns/shared/data.txt", "same in every wheel\n")
        })
        .collect();
    let paths: Vec<PathBuf> = wheels.iter().map(|w| w.build(&f.wheels)).collect();
    std::thread::scope(|s| {
        for (wheel, path) in wheels.iter().zip(&paths) {
            let venv = &f.venv;
            s.spawn(move || {
                install_wheel(venv, path, &filename_of(wheel), &WheelOptions::default()).unwrap();
            });
        }
    });
    let script = "import ns.part0, ns.part7; print(ns.part0.N + ns.part7.N)";
    let out = Command::new(&f.venv.python)
        .args(["-c", script])
        .output()
        .unwrap();
    assert_eq!(
        out.stdout,
        b"7\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(installed(&f.venv).unwrap().len(), 8);
    let leftovers: Vec<String> = tree(&f.venv.root)
        .into_keys()
        .filter(|p| p.contains("verse-tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// A `.dist-info` without METADATA (what an interrupted install or a stray `mkdir` leaves)
/// describes no distribution: `importlib.metadata`, and so Poetry, and pip skip it. It must
/// not make every later install fail.
#[test]
fn a_dist_info_without_metadata_is_not_an_installed_distribution() {
    let f = fixture();
    let dist = install(&f, &demo_wheel(), &WheelOptions::default()).unwrap();
    fs_err::create_dir(f.venv.purelib.join("ghost-1.0.dist-info")).unwrap();
    let out = Command::new(&f.venv.python)
        .args([
            "-c",
            "import importlib.metadata as m; print(sorted(d.metadata['Name'] for d in m.distributions() if d.metadata['Name']))",
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "['demo-pkg']\n");

    assert_eq!(installed(&f.venv).unwrap(), vec![dist]);
}

#[test]
fn reinstalling_the_same_version_replaces_the_dist_info() {
    let f = fixture();
    install(
        &f,
        &demo_wheel(),
        &WheelOptions {
            requested: true,
            direct_url: None,
        },
    )
    .unwrap();
    let dist = install(&f, &demo_wheel(), &WheelOptions::default()).unwrap();
    assert!(!dist.dist_info.join("REQUESTED").exists());
    assert_eq!(installed(&f.venv).unwrap().len(), 1);
}

#[test]
fn installs_the_root_project_editable_like_poetry() {
    let f = fixture();
    let project_dir = f.wheels.join("my project");
    fs_err::create_dir_all(project_dir.join("src/demo_app")).unwrap();
    fs_err::write(
        project_dir.join("src/demo_app/__init__.py"),
        "def main():\n    print('editable main')\n    return 0\n",
    )
    .unwrap();
    let mut scripts = std::collections::BTreeMap::new();
    scripts.insert("demo-app".to_string(), "demo_app:main".to_string());
    let mut gui = std::collections::BTreeMap::new();
    gui.insert("demo-gui".to_string(), "demo_app:main".to_string());
    let mut plugins = std::collections::BTreeMap::new();
    plugins.insert("one".to_string(), "demo_app:main".to_string());
    let mut entry_points = std::collections::BTreeMap::new();
    entry_points.insert("demo.plugins".to_string(), plugins);
    let project = EditableProject {
        name: "Demo_App".parse().unwrap(),
        version: "0.3.1".into(),
        root: project_dir.clone(),
        package: RootPackage {
            package_dirs: vec![project_dir.join("src")],
            scripts,
            gui_scripts: gui,
            entry_points,
            requires_dist: vec!["six>=1.0".into()],
            summary: Some("A small demo".into()),
        },
    };
    let dist = install_editable(&f.venv, &project).unwrap();
    let sp = &f.venv.purelib;
    assert_eq!(dist.dist_info, sp.join("demo_app-0.3.1.dist-info"));
    assert_eq!(
        fs_err::read_to_string(sp.join("demo_app.pth")).unwrap(),
        format!("{}\n", project_dir.join("src").display())
    );
    assert_eq!(
        fs_err::read_to_string(dist.dist_info.join("entry_points.txt")).unwrap(),
        "[console_scripts]\ndemo-app=demo_app:main\n\n[demo.plugins]\none=demo_app:main\n\n\
         [gui_scripts]\ndemo-gui=demo_app:main\n\n"
    );
    let url = format!(
        "file://{}",
        project_dir.display().to_string().replace(' ', "%20")
    );
    assert_eq!(
        fs_err::read_to_string(dist.dist_info.join("direct_url.json")).unwrap(),
        format!(r#"{{"dir_info": {{"editable": true}}, "url": "{url}"}}"#)
    );
    let python = f.venv.python.display();
    assert_eq!(
        fs_err::read_to_string(f.venv.scripts.join("demo-app")).unwrap(),
        format!(
            "#!{python}\nimport sys\nfrom demo_app import main\n\nif __name__ == '__main__':\n    \
             sys.exit(main())\n"
        )
    );
    let out = Command::new(f.venv.scripts.join("demo-app"))
        .output()
        .unwrap();
    assert_eq!(
        out.stdout,
        b"editable main\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new(&f.venv.python)
        .args([
            "-c",
            "import importlib.metadata as m; d = m.distribution('demo-app'); \
             print(d.version, d.read_text('INSTALLER').strip(), d.requires)",
        ])
        .output()
        .unwrap();
    assert_eq!(out.stdout, b"0.3.1 verse ['six>=1.0']\n");

    // Installing again (a new version) replaces the old one; uninstall leaves nothing.
    let before_second = tree(&f.venv.root).len();
    let mut newer = project.clone();
    newer.version = "0.4.0".into();
    let dist = install_editable(&f.venv, &newer).unwrap();
    assert_eq!(installed(&f.venv).unwrap(), vec![dist.clone()]);
    assert_eq!(tree(&f.venv.root).len(), before_second);
    uninstall(&f.venv, &dist).unwrap();
    let remaining: BTreeSet<String> = tree(&f.venv.root)
        .into_keys()
        .filter(|p| p.contains("demo"))
        .collect();
    assert!(remaining.is_empty(), "{remaining:?}");
}

#[test]
fn scripts_run_from_a_venv_path_with_a_space() {
    let dir = tempfile::tempdir().unwrap();
    let venv = venv::create(&dir.path().join("my venv"), &testing::python3_target()).unwrap();
    let wheel = demo_wheel();
    let path = wheel.build(dir.path());
    install_wheel(&venv, &path, &filename_of(&wheel), &WheelOptions::default()).unwrap();
    let python = venv.python.display();
    let polyglot = format!("#!/bin/sh\n'''exec' \"{python}\" \"$0\" \"$@\"\n' '''\n");
    for (script, output) in [("demo", "demo main\n"), ("demo-hashbang", "hashbang\n")] {
        let path = venv.scripts.join(script);
        let content = fs_err::read_to_string(&path).unwrap();
        assert!(content.starts_with(&polyglot), "{script}: {content}");
        let out = Command::new(&path).output().unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            output,
            "{script}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn launchers_run_on_older_and_newer_pythons() {
    // pip 26's launcher uses str.removesuffix (3.9+); 3.8 gets the equivalent slice.
    for python in [
        "/root/.pyenv/versions/3.8.18/bin/python3",
        "/root/.pyenv/versions/3.13.0/bin/python3",
    ] {
        if !Path::new(python).exists() {
            continue;
        }
        let dir = tempfile::tempdir().unwrap();
        let venv = venv::create(&dir.path().join("v"), &testing::target_for(python)).unwrap();
        let wheel = demo_wheel();
        let path = wheel.build(dir.path());
        install_wheel(&venv, &path, &filename_of(&wheel), &WheelOptions::default()).unwrap();
        let out = Command::new(venv.scripts.join("demo-attr"))
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "demo main\n",
            "{python}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn concurrent_upgrades_in_a_shared_namespace() {
    // What `run` does: per package, uninstall the old version then install the new one, with
    // packages in parallel. Uninstall prunes directories that become empty while other
    // installs are creating files in them.
    let f = fixture();
    let wheel = |i: usize, version: &str| {
        TestWheel::new(&format!("ns-part{i}"), version)
            .file(
                &format!("ns/deep/part{i}/__init__.py"),
                &format!("V = '{version}'\n"),
            )
            .data(&format!("headers/h{i}.h"), "")
    };
    for round in 0..3 {
        let old = if round == 0 {
            None
        } else {
            Some(format!("1.{}", round - 1))
        };
        let new = format!("1.{round}");
        let builds: Vec<(TestWheel, PathBuf)> = (0..8)
            .map(|i| {
                let w = wheel(i, &new);
                let p = w.build(&f.wheels);
                (w, p)
            })
            .collect();
        let current = installed(&f.venv).unwrap();
        std::thread::scope(|s| {
            for (i, (w, p)) in builds.iter().enumerate() {
                let venv = &f.venv;
                let previous = current
                    .iter()
                    .find(|d| d.name.as_ref() == format!("ns-part{i}"))
                    .cloned();
                assert_eq!(previous.is_some(), old.is_some());
                s.spawn(move || {
                    if let Some(previous) = previous {
                        uninstall(venv, &previous).unwrap();
                    }
                    install_wheel(venv, p, &filename_of(w), &WheelOptions::default()).unwrap();
                });
            }
        });
        let script = "import ns.deep.part0 as a, ns.deep.part7 as b; print(a.V, b.V)";
        let out = Command::new(&f.venv.python)
            .args(["-c", script])
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            format!("{new} {new}\n"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let versions: BTreeSet<String> = installed(&f.venv)
            .unwrap()
            .iter()
            .map(|d| d.version.to_string())
            .collect();
        assert_eq!(versions, BTreeSet::from([new.clone()]));
        for i in 0..8 {
            let header = f.venv.include.join(format!("ns-part{i}/h{i}.h"));
            assert!(header.is_file(), "{}", header.display());
        }
    }
}

#[test]
fn long_file_names_install() {
    let f = fixture();
    let long = format!("pkg/{}.py", "n".repeat(250));
    let wheel = TestWheel::new("long", "1.0").file(&long, "L = 1\n");
    install(&f, &wheel, &WheelOptions::default()).unwrap();
    assert!(f.venv.purelib.join(&long).is_file());
}

/// A wheel that breaks half-way (a member whose data fails its CRC: the file matched the
/// lock, so re-running cannot help) must not leave the members written before it in
/// site-packages: with no RECORD claiming them, nothing would ever remove them. Files that
/// were already there (a namespace `__init__.py` another package installed) stay.
#[test]
fn a_wheel_failing_half_way_leaves_none_of_its_files() {
    let f = fixture();
    let shared = f.venv.purelib.join("ns/__init__.py");
    fs_err::create_dir_all(shared.parent().unwrap()).unwrap();
    fs_err::write(&shared, "# another package's\n").unwrap();
    let before = tree(&f.venv.root);
    let wheel = TestWheel::new("part", "1.0")
        .file("ns/__init__.py", "# another package's\n")
        .file("part/a.py", "A = 1\n")
        .file("part/deep/b.py", "B = 1\n")
        .data("data/share/part/x.txt", "x\n")
        .file("part/z.py", &"Z = 2\n".repeat(50))
        .entry_points("[console_scripts]\npart = part.a:main\n");
    let path = wheel.build(&f.wheels);
    let mut bytes = fs_err::read(&path).unwrap();
    let name = b"part/z.py";
    let at = bytes.windows(name.len()).position(|w| w == name).unwrap();
    // The first occurrence is the local header; its data follows the name.
    bytes[at + name.len() + 3] ^= 0xff;
    fs_err::write(&path, &bytes).unwrap();

    let result = install_wheel(
        &f.venv,
        &path,
        &filename_of(&wheel),
        &WheelOptions::default(),
    );

    assert!(
        matches!(&result, Err(InstallError::InvalidWheel { message, .. }) if message.contains("part/z.py")),
        "{result:?}"
    );
    assert_same_tree(&tree(&f.venv.root), &before, "after the failed install");
}

/// The unpacked cache of one test: `<dir>/cache` with its `tmp`.
struct TestCache {
    dir: tempfile::TempDir,
}

impl TestCache {
    fn new() -> TestCache {
        let dir = tempfile::tempdir().unwrap();
        fs_err::create_dir_all(dir.path().join("tmp")).unwrap();
        TestCache { dir }
    }

    /// Makes the wheel's tree (`unpacked::ensure`), as a cold install does.
    fn unpack(
        &self,
        wheel: &Path,
        test_wheel: &TestWheel,
    ) -> Result<Vec<wheel::Entry>, InstallError> {
        let filename = filename_of(test_wheel);
        let errors = wheel::errors_for(&filename);
        let tmp = self.dir.path().join("tmp");
        unpacked::ensure(wheel, &filename, &self.tree_dir(), &tmp, &errors)
    }

    fn tree_dir(&self) -> PathBuf {
        self.dir.path().join("unpacked-v2/sha256/demo")
    }

    fn install(
        &self,
        venv: &Venv,
        wheel: &Path,
        test_wheel: &TestWheel,
        mode: LinkMode,
    ) -> InstalledDistribution {
        let tmp = self.dir.path().join("tmp");
        let linker = Linker::new(mode);
        let cache = UnpackedCache {
            dir: self.tree_dir(),
            tmp: &tmp,
            linker: &linker,
        };
        let options = WheelOptions {
            requested: true,
            direct_url: None,
        };
        install_wheel_cached(venv, wheel, &filename_of(test_wheel), &options, &cache).unwrap()
    }
}

fn nlink(path: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    fs_err::metadata(path).unwrap().nlink()
}

#[test]
fn installs_from_the_unpacked_cache_with_the_same_layout_in_every_link_mode() {
    let f = fixture();
    let wheel = demo_wheel();
    let path = wheel.build(&f.wheels);
    let options = WheelOptions {
        requested: true,
        direct_url: None,
    };
    install_wheel(&f.venv, &path, &filename_of(&wheel), &options).unwrap();
    let direct = tree(&f.venv.root);
    let target = testing::python3_target();
    let cache = TestCache::new();
    for mode in [LinkMode::Hardlink, LinkMode::Copy, LinkMode::Clone] {
        fs_err::remove_dir_all(&f.venv.root).unwrap();
        let venv = venv::create(&f.venv.root, &target).unwrap();
        cache.install(&venv, &path, &wheel, mode);
        assert_same_tree(&tree(&venv.root), &direct, mode.as_str());
        let sp = &venv.purelib;
        let module = sp.join("demo_pkg/sub/mod.py");
        // ext4 and tmpfs have no reflinks: clone degrades to hardlink there.
        let linked = mode != LinkMode::Copy;
        assert_eq!(nlink(&module), if linked { 2 } else { 1 }, "{mode:?}");
        assert_eq!(
            nlink(&sp.join("demo_pkg/tool.sh")),
            if linked { 2 } else { 1 }
        );
        // What differs per venv is always a file of its own.
        for own in [
            sp.join("demo_pkg-1.0.dist-info/RECORD"),
            sp.join("demo_pkg-1.0.dist-info/INSTALLER"),
            sp.join("demo_pkg-1.0.dist-info/REQUESTED"),
            venv.scripts.join("demo-hashbang"),
            venv.scripts.join("demo"),
        ] {
            assert_eq!(nlink(&own), 1, "{} is linked", own.display());
        }
    }
}

#[test]
fn a_second_venv_reuses_the_unpacked_tree_without_the_wheel() {
    let f = fixture();
    let wheel = demo_wheel();
    let path = wheel.build(&f.wheels);
    let cache = TestCache::new();
    cache.install(&f.venv, &path, &wheel, LinkMode::Hardlink);
    let first = tree(&f.venv.root);
    let unpacked = tree(&cache.tree_dir());
    // The wheel is gone: only the tree can serve the second venv (no unzip happens).
    fs_err::remove_file(&path).unwrap();
    fs_err::remove_dir_all(&f.venv.root).unwrap();
    let venv = venv::create(&f.venv.root, &testing::python3_target()).unwrap();
    cache.install(&venv, &path, &wheel, LinkMode::Hardlink);
    assert_same_tree(&tree(&venv.root), &first, "second venv");
    assert_same_tree(&tree(&cache.tree_dir()), &unpacked, "the tree");
    // Nothing is left in the cache's temporary area.
    assert_eq!(
        fs_err::read_dir(cache.dir.path().join("tmp"))
            .unwrap()
            .count(),
        0
    );
}

#[test]
fn replacing_files_of_a_hardlinked_venv_leaves_the_cache_intact() {
    let f = fixture();
    let cache = TestCache::new();
    let v1 = demo_wheel();
    let path = v1.build(&f.wheels);
    cache.install(&f.venv, &path, &v1, LinkMode::Hardlink);
    let unpacked = tree(&cache.tree_dir());
    // A reinstall over the linked files (and pip-style uninstall) replaces names, never
    // writes through a link.
    install_wheel(
        &f.venv,
        &TestWheel::new("demo-pkg", "1.0")
            .file("demo_pkg/sub/mod.py", "X = 'changed'\n")
            .build(&f.dir_for_other()),
        &filename_of(&v1),
        &WheelOptions::default(),
    )
    .unwrap();
    let dist = installed(&f.venv).unwrap().remove(0);
    uninstall(&f.venv, &dist).unwrap();
    assert_same_tree(&tree(&cache.tree_dir()), &unpacked, "the tree");
}

#[test]
fn concurrent_unpacks_of_one_wheel_share_one_tree() {
    let f = fixture();
    let wheel = demo_wheel();
    let path = wheel.build(&f.wheels);
    let cache = TestCache::new();
    let target = testing::python3_target();
    let venvs: Vec<Venv> = (0..4)
        .map(|i| venv::create(&f.wheels.join(format!("venv{i}")), &target).unwrap())
        .collect();
    std::thread::scope(|scope| {
        for venv in &venvs {
            let (cache, path, wheel) = (&cache, &path, &wheel);
            scope.spawn(move || cache.install(venv, path, wheel, LinkMode::Hardlink));
        }
    });
    for venv in &venvs {
        let init = venv.purelib.join("demo_pkg/__init__.py");
        assert!(init.is_file());
    }
    // One tree, complete; the losers' staging directories are gone.
    assert!(cache.tree_dir().join("entries.json").is_file());
    assert_eq!(
        fs_err::read_dir(cache.dir.path().join("tmp"))
            .unwrap()
            .count(),
        0
    );
}

/// A wheel big enough to be unpacked by several threads (`unpacked::threads_for`): text that
/// compresses poorly, in members of a few MiB.
fn big_wheel() -> (TestWheel, Vec<(String, String)>) {
    let mut wheel = TestWheel::new("big", "1.0").file("big/__init__.py", "");
    let mut files = Vec::new();
    for i in 0..5 {
        let text = letters(4 << 20, 0x9e37_79b9 + i);
        let name = format!("big/b{i}.txt");
        wheel = wheel.file(&name, &text);
        files.push((name, text));
    }
    (wheel, files)
}

#[test]
fn a_large_wheel_unpacked_by_several_threads_holds_every_member_exactly() {
    let f = fixture();
    let (wheel, files) = big_wheel();
    let path = wheel.build(&f.wheels);
    let cache = TestCache::new();
    let dir = cache.tree_dir();
    let entries = cache.unpack(&path, &wheel).unwrap();
    assert_eq!(entries.len(), files.len() + 4, "{entries:?}");
    for (name, text) in &files {
        let written = fs_err::read_to_string(dir.join("tree").join(name)).unwrap();
        assert!(written == *text, "{name} differs");
    }
}

/// With members failing in two threads, the error is the one a sequential unpack meets (the
/// first in archive order), and no tree is published.
#[test]
fn a_large_wheel_with_broken_members_reports_the_first_and_publishes_nothing() {
    let f = fixture();
    let (wheel, _) = big_wheel();
    let path = wheel.build(&f.wheels);
    let mut bytes = fs_err::read(&path).unwrap();
    for broken in [b"big/b1.txt", b"big/b3.txt"] {
        let at = bytes
            .windows(broken.len())
            .position(|w| w == broken)
            .unwrap();
        // The first occurrence is the local header; its data follows the name.
        bytes[at + broken.len() + 1000] ^= 0xff;
    }
    fs_err::write(&path, &bytes).unwrap();
    let cache = TestCache::new();
    let dir = cache.tree_dir();
    let result = cache.unpack(&path, &wheel);
    assert!(
        matches!(&result, Err(InstallError::InvalidWheel { message, .. })
            if message.starts_with("cannot read big/b1.txt: ")),
        "{result:?}"
    );
    assert!(!dir.exists());
    assert_eq!(
        fs_err::read_dir(cache.dir.path().join("tmp"))
            .unwrap()
            .count(),
        0,
        "the staging tree is left behind"
    );
}

/// `len` bytes of random lowercase letters (compress poorly, inflate slowly enough).
fn letters(len: usize, mut state: u32) -> String {
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            char::from(b'a' + (state % 26) as u8)
        })
        .collect()
}

/// A file whose name is also the directory of another file (`big/a`, `big/a/b`): one of the
/// two cannot be written. A sequential unpack writes `big/a` and fails on `big/a/b`; unpacked
/// by two threads, the one holding `big/a/b` (first in its group) makes the directory while
/// the other still inflates `big/b0.txt`, and `big/a` then failed, so the error named the
/// member a sequential unpack writes fine (now refused when the archive is opened, naming
/// both). Sizes are chosen so that `split` puts `big/a` behind `big/b0.txt` and `big/a/b` in
/// the other group, ahead of `big/b1.txt`.
#[test]
fn a_file_that_is_also_a_directory_is_refused_as_a_sequential_unpack_does() {
    let f = fixture();
    let wheel = TestWheel::new("big", "1.0")
        .file("big/__init__.py", "")
        .file("big/b0.txt", &letters(8 << 20, 0x9e37_79b9))
        .file("big/a", &letters(300 << 10, 7))
        .file("big/a/b", "b")
        .file("big/b1.txt", &letters((8 << 20) + (200 << 10), 11));
    let path = wheel.build(&f.wheels);
    for _ in 0..3 {
        let cache = TestCache::new();
        let result = cache.unpack(&path, &wheel);
        let error = format!("{:?}", result.unwrap_err());
        assert!(error.contains("big/a/b"), "{error}");
        assert!(!cache.tree_dir().exists());
    }
}

/// Only METADATA's headers are read: a description after the blank line that looks like a
/// header, or is not UTF-8, changes nothing.
#[test]
fn installed_reads_name_and_version_from_the_headers_only() {
    let f = fixture();
    let dist_info = f.venv.purelib.join("demo_pkg-1.0.dist-info");
    fs_err::create_dir_all(&dist_info).unwrap();
    let mut metadata = b"Metadata-Version: 2.1\r\nName: Demo_Pkg\r\nVersion: 1.0\r\n\r\n".to_vec();
    metadata.extend_from_slice(b"Version: 9.9\nName: other\n\xff\xfe not UTF-8\n");
    fs_err::write(dist_info.join("METADATA"), &metadata).unwrap();
    let found = installed(&f.venv).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].name.as_ref(), "demo-pkg");
    assert_eq!(found[0].version.to_string(), "1.0");

    // Headers only, no blank line and no final newline.
    fs_err::write(dist_info.join("METADATA"), "Name: demo-pkg\nVersion: 2.0").unwrap();
    assert_eq!(installed(&f.venv).unwrap()[0].version.to_string(), "2.0");
}
