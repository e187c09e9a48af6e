//! `verse export` against real poetry-plugin-export: every case in
//! `tests/fixtures/export/cases.toml` (recorded by `regenerate.sh` from Poetry 2.5.1 with
//! poetry-plugin-export 1.10.1, on the selection fixtures and the benchmark scenarios) must give
//! the same text, byte for byte. Plus the flags Poetry has and the errors it gives.

use std::path::{Path, PathBuf};

use crate::support::*;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn project_dir(name: &str) -> PathBuf {
    if name.starts_with("bench-") {
        fixtures().join("export/projects").join(name)
    } else {
        fixtures().join("poetry").join(name)
    }
}

#[derive(serde::Deserialize)]
struct Cases {
    case: Vec<Case>,
}

#[derive(serde::Deserialize)]
struct Case {
    project: String,
    args: Vec<String>,
    expected: String,
}

fn cases() -> Vec<Case> {
    let text = read(&fixtures().join("export/cases.toml"));
    let cases: Cases = toml::from_str(&text).expect("cases.toml parses");
    cases.case
}

/// Whether the project's lock records groups and markers (lock-version 2.1).
fn is_lock_2_1(project: &str) -> bool {
    read(&project_dir(project).join("poetry.lock")).contains("lock-version = \"2.1\"")
}

#[test]
fn requirements_txt_is_what_poetry_export_writes() {
    let context = TestContext::new();
    let mut compared = 0;
    for case in cases().iter().filter(|c| is_lock_2_1(&c.project)) {
        let expected = read(&fixtures().join("export/expected").join(&case.expected));
        let output = context
            .verse()
            .arg("export")
            .arg("--project")
            .arg(project_dir(&case.project))
            .args(&case.args)
            .run();
        output.success();
        assert_eq!(
            output.stdout, expected,
            "verse export {:?} on {} differs from poetry export ({})",
            case.args, case.project, case.expected
        );
        compared += 1;
    }
    // 2.5.1_classic, _groups and _pep621, and the four benchmark scenarios.
    assert_eq!(compared, 36, "every lock-2.1 case was compared");
}

#[test]
fn locks_older_than_2_1_are_refused_with_a_hint() {
    let context = TestContext::new();
    for project in ["1.8.5_classic", "1.1.15_classic"] {
        context
            .verse()
            .arg("export")
            .arg("--project")
            .arg(project_dir(project))
            .run()
            .user_error()
            .stderr_has("export needs 2.1")
            .stderr_has("hint: run `poetry lock` with Poetry 2.x");
    }
}

#[test]
fn output_file_gets_the_same_text() {
    let context = TestContext::new();
    let out = context.root().join("requirements.txt");
    context
        .verse()
        .arg("export")
        .arg("--project")
        .arg(project_dir("2.5.1_groups"))
        .args(["--all-groups", "-o"])
        .arg(&out)
        .run()
        .success();
    let case = cases()
        .into_iter()
        .find(|c| c.project == "2.5.1_groups" && c.args == ["--all-groups"])
        .expect("the --all-groups case is recorded");
    assert_eq!(
        read(&out),
        read(&fixtures().join("export/expected").join(case.expected))
    );
}

#[test]
fn unknown_groups_and_extras_are_user_errors() {
    let context = TestContext::new();
    let dir = project_dir("2.5.1_pep621");
    context
        .verse()
        .arg("export")
        .arg("--project")
        .arg(&dir)
        .args(["--with", "nosuch"])
        .run()
        .user_error()
        .stderr_has("unknown group: nosuch");
    context
        .verse()
        .arg("export")
        .arg("--project")
        .arg(&dir)
        .args(["-E", "nosuch"])
        .run()
        .user_error()
        .stderr_has("unknown extra: nosuch (known extras: compat, win, write)");
}

#[test]
fn a_pylock_output_needs_a_pylock_name() {
    let context = TestContext::new();
    context
        .verse()
        .arg("export")
        .arg("--project")
        .arg(project_dir("2.5.1_classic"))
        .args(["-f", "pylock.toml", "-o", "locked.toml"])
        .run()
        .user_error()
        .stderr_has("must be named pylock.toml or pylock.NAME.toml");
}
