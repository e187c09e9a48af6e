//! Opt-in tests against the real package index (PyPI). They run only with
//! `VERSE_TEST_NETWORK=1` (set by .ci/run); otherwise they print why they did nothing.

use std::path::{Path, PathBuf};
use std::process::Command;

fn enabled(test: &str) -> bool {
    let on = std::env::var("VERSE_TEST_NETWORK").is_ok_and(|v| v == "1");
    if !on {
        eprintln!(
            "{test}: skipped (set VERSE_TEST_NETWORK=1 to run tests that use the real index)"
        );
    }
    on
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == ".venv" {
            continue;
        }
        let target = to.join(&name);
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn verse(args: &[&str], home: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_verse"))
        .args(args)
        .env("HOME", home)
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env_remove("VIRTUAL_ENV")
        .env_remove("VERSE_CACHE_DIR")
        .env_remove("VERSE_INDEX_URL")
        .output()
        .unwrap()
}

/// The README's quick start, for real: the bundled example from PyPI, editable root included.
#[test]
fn installs_the_bundled_example_from_pypi() {
    if !enabled("installs_the_bundled_example_from_pypi") {
        return;
    }
    let temp = tempfile::tempdir().unwrap();
    let project: PathBuf = temp.path().join("hello");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/hello"),
        &project,
    );
    let output = verse(
        &["install", "--project", project.to_str().unwrap()],
        temp.path(),
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("+ click=="), "{stderr}");
    assert!(stderr.contains("+ hello==0.1.0"), "{stderr}");

    let hello = project.join(".venv/bin/hello");
    let run = Command::new(&hello)
        .args(["--name", "CI"])
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        String::from_utf8_lossy(&run.stdout).starts_with("Hello, CI! (hello 0.1.0, click "),
        "{}",
        String::from_utf8_lossy(&run.stdout)
    );

    // A second run downloads nothing and changes nothing.
    let again = verse(
        &["install", "--project", project.to_str().unwrap()],
        temp.path(),
    );
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(again.status.success(), "{stderr}");
    assert!(stderr.contains("Nothing to install"), "{stderr}");
}

/// A library at `dir` built by a real backend: `[project]` metadata, its `[build-system]`,
/// and whatever layout that backend expects for the package `name` (with `VALUE`).
fn write_library(dir: &Path, name: &str, build_system: &str, value: &str) {
    let module = name.replace('-', "_");
    let package = if build_system.contains("poetry") {
        dir.join("src").join(&module)
    } else {
        dir.join(&module)
    };
    std::fs::create_dir_all(&package).unwrap();
    std::fs::write(
        package.join("__init__.py"),
        format!("\"\"\"A test library.\"\"\"\n__version__ = \"1.0\"\nVALUE = {value:?}\n"),
    )
    .unwrap();
    let mut pyproject = format!(
        "[project]\nname = \"{name}\"\nversion = \"1.0\"\ndescription = \"A test library.\"\nrequires-python = \">=3.8\"\n\n{build_system}"
    );
    if build_system.contains("poetry") {
        pyproject.push_str(&format!(
            "\n[tool.poetry]\npackages = [{{ include = \"{module}\", from = \"src\" }}]\n"
        ));
    }
    std::fs::write(dir.join("pyproject.toml"), pyproject).unwrap();
}

/// The real backends build from their real PyPI build requirements, in isolated build
/// environments: setuptools (and an editable PEP 660 build of it), poetry-core, hatchling
/// and flit-core as path dependencies, and docopt, an sdist-only package from PyPI with a
/// plain setup.py (setuptools' legacy backend).
#[test]
fn builds_with_the_real_backends_from_pypi() {
    if !enabled("builds_with_the_real_backends_from_pypi") {
        return;
    }
    let temp = tempfile::tempdir().unwrap();
    let project = temp.path().join("app");
    let backends = [
        (
            "with-setuptools",
            "[build-system]\nrequires = [\"setuptools>=61\"]\nbuild-backend = \"setuptools.build_meta\"\n",
            false,
        ),
        (
            "with-setuptools-editable",
            "[build-system]\nrequires = [\"setuptools>=64\"]\nbuild-backend = \"setuptools.build_meta\"\n",
            true,
        ),
        (
            "with-poetry-core",
            "[build-system]\nrequires = [\"poetry-core>=2.0\"]\nbuild-backend = \"poetry.core.masonry.api\"\n",
            false,
        ),
        (
            "with-hatchling",
            "[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n",
            false,
        ),
        (
            "with-flit-core",
            "[build-system]\nrequires = [\"flit_core>=3.2,<4\"]\nbuild-backend = \"flit_core.buildapi\"\n",
            false,
        ),
    ];
    let mut lock = String::from("# @generated by hand for verse's network tests\n\n");
    lock.push_str(
        "[[package]]\nname = \"docopt\"\nversion = \"0.6.2\"\ndescription = \"\"\noptional = false\npython-versions = \"*\"\ngroups = [\"main\"]\nfiles = [\n    {file = \"docopt-0.6.2.tar.gz\", hash = \"sha256:49b3a825280bd66b3aa83585ef59c4a8c82f2c8a522dbe754a8bc8d08c85c491\"},\n]\n\n",
    );
    let mut dependencies = String::from("docopt = \"0.6.2\"\n");
    for (name, build_system, develop) in &backends {
        write_library(&project.join("libs").join(name), name, build_system, name);
        lock.push_str(&format!(
            "[[package]]\nname = \"{name}\"\nversion = \"1.0\"\ndescription = \"\"\noptional = false\npython-versions = \">=3.8\"\ngroups = [\"main\"]\nfiles = []\ndevelop = {develop}\n\n[package.source]\ntype = \"directory\"\nurl = \"libs/{name}\"\n\n"
        ));
        dependencies.push_str(&format!(
            "{name} = {{ path = \"libs/{name}\", develop = {develop} }}\n"
        ));
    }
    lock.push_str(
        "[metadata]\nlock-version = \"2.1\"\npython-versions = \">=3.9\"\ncontent-hash = \"0\"\n",
    );
    std::fs::write(project.join("poetry.lock"), lock).unwrap();
    std::fs::write(
        project.join("pyproject.toml"),
        format!("[tool.poetry]\npackage-mode = false\n\n[tool.poetry.dependencies]\npython = \">=3.9\"\n{dependencies}"),
    )
    .unwrap();

    let output = verse(
        &[
            "install",
            "--allow-stale-lock",
            "--project",
            project.to_str().unwrap(),
        ],
        temp.path(),
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    for (name, _, _) in &backends {
        assert!(stderr.contains(&format!("+ {name}==1.0")), "{stderr}");
    }
    assert!(stderr.contains("+ docopt==0.6.2"), "{stderr}");

    let python = project.join(".venv/bin/python");
    let script = "import docopt, with_setuptools, with_setuptools_editable, with_poetry_core, with_hatchling, with_flit_core as f\n\
                  print(docopt.__version__, with_setuptools.VALUE, with_poetry_core.VALUE, with_hatchling.VALUE, f.VALUE, with_setuptools_editable.__file__)";
    let run = Command::new(&python).args(["-c", script]).output().unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let editable_file =
        project.join("libs/with-setuptools-editable/with_setuptools_editable/__init__.py");
    assert_eq!(
        stdout.trim(),
        format!(
            "0.6.2 with-setuptools with-poetry-core with-hatchling with-flit-core {}",
            editable_file.display()
        )
    );
    // Build tools stay in their build environments.
    let freeze = Command::new(&python)
        .args(["-c", "import importlib.metadata as m; print(sorted(d.metadata['Name'] for d in m.distributions()))"])
        .output()
        .unwrap();
    let names = String::from_utf8_lossy(&freeze.stdout);
    for tool in [
        "setuptools",
        "hatchling",
        "poetry-core",
        "flit_core",
        "wheel",
    ] {
        assert!(
            !names.contains(&format!("'{tool}'")),
            "{tool} leaked into the venv: {names}"
        );
    }

    // Nothing changed: nothing is rebuilt.
    let again = verse(
        &[
            "install",
            "--allow-stale-lock",
            "--project",
            project.to_str().unwrap(),
        ],
        temp.path(),
    );
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(again.status.success(), "{stderr}");
    assert!(stderr.contains("Nothing to install"), "{stderr}");
}
