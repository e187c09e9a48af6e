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
