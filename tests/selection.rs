//! Selection against the truth: fixture projects locked by real Poetry 1.1.15, 1.8.5 and 2.5.1
//! (tests/fixtures/poetry/, made by its regenerate.sh), each with the packages real
//! `poetry install --no-root` installed for several flag combinations and interpreters. verse's
//! plan for the same lock, flags and interpreter must name exactly the same packages.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use clap::Parser;
use serde::Deserialize;
use verse::cli::{Cli, Command};
use verse::plan::{self, Policy, Selection};

#[derive(Deserialize)]
struct Expected {
    poetry: String,
    #[serde(rename = "case", default)]
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    installer: String,
    python: String,
    args: Vec<String>,
    packages: Vec<String>,
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/poetry")
}

/// An interpreter of exactly this full version on this machine (system or pyenv), if any.
fn interpreter(full_version: &str) -> Option<PathBuf> {
    let mut candidates = vec![PathBuf::from("/usr/bin/python3")];
    let pyenv = std::env::var_os("PYENV_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/root/.pyenv"));
    candidates.push(
        pyenv
            .join("versions")
            .join(full_version)
            .join("bin/python3"),
    );
    candidates.into_iter().find(|python| {
        std::process::Command::new(python)
            .args(["-c", "import platform; print(platform.python_version())"])
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == full_version)
    })
}

fn selection(args: &[String]) -> Selection {
    let mut argv = vec!["verse".to_string(), "install".to_string()];
    argv.extend(args.iter().cloned());
    let cli = Cli::try_parse_from(&argv).unwrap_or_else(|e| panic!("bad args {args:?}: {e}"));
    let Command::Install(install) = cli.command else {
        panic!("`verse install` parsed as another command")
    };
    let s = install.selection;
    Selection {
        only: if s.no_dev {
            vec!["main".into()]
        } else {
            s.only
        },
        with: s.with,
        without: s.without,
        all_groups: s.all_groups,
        extras: s.extras,
        all_extras: s.all_extras,
        no_root: true,
        only_root: s.only_root,
    }
}

#[test]
fn verse_selects_what_real_poetry_installs() {
    let mut checked = 0;
    let mut skipped_pythons = BTreeSet::new();
    let mut failures = Vec::new();
    let mut targets: std::collections::HashMap<String, Option<verse::target::Target>> =
        std::collections::HashMap::new();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .expect("tests/fixtures/poetry exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("expected.toml").is_file())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty(), "no fixture projects found");
    for dir in dirs {
        let expected: Expected =
            toml::from_str(&std::fs::read_to_string(dir.join("expected.toml")).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let (project, lock) = verse::lock::read(&dir)
            .unwrap_or_else(|e| panic!("{}: cannot read: {e}", dir.display()));
        for case in &expected.cases {
            let target = targets.entry(case.python.clone()).or_insert_with(|| {
                interpreter(&case.python).map(|python| verse::target::probe(&python).unwrap())
            });
            let Some(target) = target.as_ref() else {
                skipped_pythons.insert(case.python.clone());
                continue;
            };
            let label = format!(
                "{} (locked by Poetry {}, installed by {}) on Python {} with {:?}",
                dir.file_name().unwrap().to_string_lossy(),
                expected.poetry,
                case.installer,
                case.python,
                case.args
            );
            match plan::plan(
                &project,
                &lock,
                target,
                &selection(&case.args),
                Policy::default(),
            ) {
                Ok(plan) => {
                    let got: BTreeSet<String> = plan
                        .packages
                        .iter()
                        .map(|p| format!("{}=={}", p.name, p.pretty_version))
                        .collect();
                    let want: BTreeSet<String> = case.packages.iter().cloned().collect();
                    if got != want {
                        failures.push(format!(
                            "{label}:\n    missing: {:?}\n    extra:   {:?}",
                            want.difference(&got).collect::<Vec<_>>(),
                            got.difference(&want).collect::<Vec<_>>()
                        ));
                    }
                }
                Err(error) => failures.push(format!("{label}: plan failed: {error}")),
            }
            checked += 1;
        }
    }
    if !skipped_pythons.is_empty() {
        eprintln!("note: no interpreter on this machine for Python {skipped_pythons:?}; those cases were not checked");
    }
    assert!(checked > 0, "no case could be checked on this machine");
    eprintln!("checked {checked} cases against real Poetry");
    assert!(
        failures.is_empty(),
        "{} of {checked} cases differ from real Poetry:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
