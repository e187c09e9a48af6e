//! `--compile` (`VERSE_COMPILE`): the installed `.py` files get the `.pyc` files pip writes,
//! listed in RECORD the way pip lists them; a file that does not compile is skipped; `verse
//! check` stays clean and removing the package removes the bytecode too.

use std::path::Path;
use std::process::Command;

use super::*;

/// A wheel with a package, a top-level module, a Python 2 module (does not compile), a
/// `.data/purelib` module and a `.data/data` module outside site-packages (pip compiles those
/// too), and a non-Python file.
fn compile_wheel(context: &TestContext) -> DistFile {
    WheelBuilder::new("alpha", "1.0.0")
        .package("alpha")
        .file("alpha/legacy.py", "print 'python 2'\n")
        .file("alpha/data.txt", "not python\n")
        .file("solo.py", "X = 1\n")
        .data("purelib", "alpha/extra.py", "Y = 2\n")
        .data("data", "share/alpha/tool.py", "Z = 3\n")
        .build(&context.wheels_dir())
}

/// The `.pyc` rows of a RECORD, sorted.
fn pyc_rows(rows: &[(String, String, String)]) -> Vec<String> {
    let mut pycs: Vec<String> = rows
        .iter()
        .filter(|(path, _, _)| path.ends_with(".pyc"))
        .map(|(path, hash, size)| format!("{path},{hash},{size}"))
        .collect();
    pycs.sort();
    pycs
}

fn cache_tag(context: &TestContext) -> String {
    context
        .venv_python(&["-c", "import sys; print(sys.implementation.cache_tag)"])
        .success()
        .stdout
        .trim()
        .to_string()
}

#[test]
fn compile_writes_the_pycs_pip_writes_and_lists_them_in_record() {
    let context = TestContext::new();
    let alpha = compile_wheel(&context);
    let (_, server) = project_with(&context, &[&alpha]);

    context
        .install(&server)
        .env("VERSE_COMPILE", "1")
        .run()
        .success();

    let tag = cache_tag(&context);
    let site = context.site_packages();
    let expected = [
        "../../../share/alpha/__pycache__/tool",
        "__pycache__/solo",
        "alpha/__pycache__/__init__",
        "alpha/__pycache__/extra",
    ]
    .map(|stem| format!("{stem}.{tag}.pyc,,"));
    assert_eq!(pyc_rows(&context.record("alpha")), expected);
    assert!(!site
        .join(format!("alpha/__pycache__/legacy.{tag}.pyc"))
        .exists());

    // Each listed .pyc is valid for its source as the interpreter checks it on import, and
    // names the installed source as its file.
    let check = r#"
import importlib.util, marshal, os, sys
from importlib._bootstrap_external import _classify_pyc, _validate_timestamp_pyc
site = sys.argv[1]
for rel in sys.argv[2:]:
    src = os.path.normpath(os.path.join(site, rel))
    data = open(importlib.util.cache_from_source(src), "rb").read()
    assert data[:4] == importlib.util.MAGIC_NUMBER, rel
    flags = _classify_pyc(data, rel, {})
    if flags == 0:
        st = os.stat(src)
        _validate_timestamp_pyc(data, int(st.st_mtime), st.st_size, rel, {})
    code = marshal.loads(data[16:])
    assert os.path.normpath(code.co_filename) == src, (code.co_filename, src)
print("ok")
"#;
    let site_text = site.to_string_lossy().into_owned();
    context
        .venv_python(&[
            "-c",
            check,
            &site_text,
            "alpha/__init__.py",
            "alpha/extra.py",
            "solo.py",
            "../../../share/alpha/tool.py",
        ])
        .success()
        .stdout_has("ok");

    context
        .verse()
        .arg("check")
        .run()
        .success()
        .stdout_has("OK, the venv matches the lock");
}

#[test]
fn compiled_record_matches_pips() {
    let context = TestContext::new();
    let alpha = compile_wheel(&context);
    let (_, server) = project_with(&context, &[&alpha]);
    context.install(&server).arg("--compile").run().success();

    // pip compiles by default.
    let pip_venv = context.root().join("pip-venv");
    let status = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&pip_venv)
        .status()
        .expect("running python3 -m venv");
    assert!(status.success());
    let output = Command::new(pip_venv.join("bin/python"))
        .args(["-m", "pip", "install", "--no-deps", "--no-cache-dir"])
        .args(["--disable-pip-version-check", "--no-input", "--index-url"])
        .arg(server.url())
        .arg("alpha==1.0.0")
        .env("PIP_CONFIG_FILE", "/dev/null")
        .env("HOME", context.root().join("home"))
        .env_remove("PIP_INDEX_URL")
        .output()
        .expect("running pip");
    assert!(
        output.status.success(),
        "pip failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let pip_record = record_rows(&site_packages(&pip_venv).join("alpha-1.0.0.dist-info/RECORD"));

    assert_eq!(pyc_rows(&context.record("alpha")), pyc_rows(&pip_record));
}

#[test]
fn removing_a_compiled_package_removes_its_bytecode() {
    let context = TestContext::new();
    let alpha = compile_wheel(&context);
    let beta = wheel(&context, "beta", "1.0.0");
    let (project, server) = project_with(&context, &[&alpha, &beta]);
    context.install(&server).arg("--compile").run().success();
    let tag = cache_tag(&context);
    let site = context.site_packages();
    assert!(site.join(format!("__pycache__/solo.{tag}.pyc")).is_file());
    assert!(site
        .join(format!("beta/__pycache__/__init__.{tag}.pyc"))
        .is_file());

    project
        .clone()
        .pyproject(Pyproject::new(Style::Poetry).dep(Dep::new("beta", "*")))
        .lock(Lockfile::new(LockFormat::V2_1).package(Locked::of(&beta)))
        .write();
    context
        .verse()
        .args(["sync", "--compile", "--index-url"])
        .arg(server.url())
        .run()
        .success()
        .stderr_has(" - alpha==1.0.0");

    assert!(!site.join("alpha").exists());
    assert!(!site.join("solo.py").exists());
    assert!(!site.join(format!("__pycache__/solo.{tag}.pyc")).exists());
    assert!(!context.venv().join("share/alpha").exists());
    assert_eq!(context.installed(), vec!["beta==1.0.0"]);
}

#[test]
fn without_compile_nothing_is_compiled() {
    let context = TestContext::new();
    let alpha = compile_wheel(&context);
    let (_, server) = project_with(&context, &[&alpha]);
    context.install(&server).run().success();
    assert!(pyc_rows(&context.record("alpha")).is_empty());
    assert!(!context.site_packages().join("alpha/__pycache__").exists());
}

fn record_rows(path: &Path) -> Vec<(String, String, String)> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
        .lines()
        .filter(|l| !l.is_empty())
        .map(|line| {
            let mut fields = line.splitn(3, ',').map(str::to_string);
            let mut next = || fields.next().unwrap_or_default();
            (next(), next(), next())
        })
        .collect()
}

#[test]
fn only_the_packages_this_run_installs_are_compiled() {
    let context = TestContext::new();
    let alpha = compile_wheel(&context);
    let beta = wheel(&context, "beta", "1.0.0");
    let (project, server) = project_with(&context, &[&alpha]);
    context.install(&server).run().success();
    server.add(&beta);
    project
        .clone()
        .pyproject(
            Pyproject::new(Style::Poetry)
                .dep(Dep::new("alpha", "*"))
                .dep(Dep::new("beta", "*")),
        )
        .lock(
            Lockfile::new(LockFormat::V2_1)
                .package(Locked::of(&alpha))
                .package(Locked::of(&beta)),
        )
        .write();

    context
        .install(&server)
        .arg("--compile")
        .run()
        .success()
        .stderr_has(" + beta==1.0.0");

    let tag = cache_tag(&context);
    assert_eq!(
        pyc_rows(&context.record("beta")),
        [format!("beta/__pycache__/__init__.{tag}.pyc,,")]
    );
    assert!(pyc_rows(&context.record("alpha")).is_empty());
    assert!(!context.site_packages().join("alpha/__pycache__").exists());
}
