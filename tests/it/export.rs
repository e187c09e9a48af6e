//! `verse export` against real poetry-plugin-export: every case in
//! `tests/fixtures/export/cases.toml` (recorded by `regenerate.sh` from Poetry 2.5.1 with
//! poetry-plugin-export 1.10.1, on the selection fixtures, lock 1.1 to 2.1, and the benchmark
//! scenarios) must give the same text, byte for byte; pylock.toml must hold what Poetry's does;
//! a pylock round trip must give the same venv. Plus the flags Poetry has and its errors.

use std::path::{Path, PathBuf};

use crate::support::*;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn project_dir(name: &str) -> PathBuf {
    if name.starts_with("bench-") || name == "sources" {
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
    for case in &cases() {
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
    // Lock 2.1: 2.5.1_classic, _groups and _pep621, the four benchmark scenarios and
    // `sources` (38); older locks, walked: 1.8.5_classic, 1.8.5_groups, 1.1.15_classic (22).
    assert_eq!(compared, 60, "every case was compared");
}

#[test]
fn pylock_from_a_lock_older_than_2_1_is_refused_with_a_hint() {
    // As with Poetry: without per-package markers the file could not be written for every
    // environment at once.
    let context = TestContext::new();
    assert!(!is_lock_2_1("1.8.5_classic"));
    for project in ["1.8.5_classic", "1.1.15_classic"] {
        context
            .verse()
            .args(["export", "-f", "pylock.toml", "--offline", "--project"])
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

/// The fields of a pylock.toml that do not depend on where the index is: per package its name,
/// version, marker, requires-python, index and wheels (name and hashes), sorted.
fn pylock_summary(text: &str) -> Vec<String> {
    let document: toml::Value = toml::from_str(text).expect("pylock.toml parses");
    let mut out: Vec<String> = document["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| {
            let field = |k: &str| p.get(k).map(|v| v.to_string()).unwrap_or_default();
            let mut wheels: Vec<String> = p
                .get("wheels")
                .and_then(|w| w.as_array())
                .map(|ws| {
                    ws.iter()
                        .map(|w| format!("{} {}", w["name"], w["hashes"]))
                        .collect()
                })
                .unwrap_or_default();
            wheels.sort();
            format!(
                "{} {} marker={} requires-python={} index={} wheels={wheels:?}",
                field("name"),
                field("version"),
                field("marker"),
                field("requires-python"),
                field("index")
            )
        })
        .collect();
    out.sort();
    for key in ["environments", "requires-python", "lock-version"] {
        out.push(format!(
            "{key}={:?}",
            document.get(key).map(|v| v.to_string())
        ));
    }
    out
}

#[test]
fn pylock_toml_has_what_poetry_export_writes() {
    let context = TestContext::new();
    let text = read(&fixtures().join("export/pylock-cases.toml"));
    let cases: Cases = toml::from_str(&text).expect("pylock-cases.toml parses");
    assert_eq!(cases.case.len(), 6);
    for case in &cases.case {
        // The lock has no URLs: offer every locked wheel by name in a --find-links folder
        // (empty files: export only needs to know where each file is).
        let links = context.root().join(format!("links-{}", case.project));
        std::fs::create_dir_all(&links).unwrap();
        let lock = read(&project_dir(&case.project).join("poetry.lock"));
        for line in lock.lines() {
            if let Some(rest) = line.trim().strip_prefix("{file = \"") {
                let file = rest.split('"').next().unwrap();
                if file.ends_with(".whl") {
                    std::fs::write(links.join(file), "").unwrap();
                }
            }
        }
        let output = context
            .verse()
            .arg("export")
            .args(["-f", "pylock.toml", "--offline", "--find-links"])
            .arg(&links)
            .arg("--project")
            .arg(project_dir(&case.project))
            .args(&case.args)
            .run();
        output.success();
        let expected = read(&fixtures().join("export/expected").join(&case.expected));
        assert_eq!(
            pylock_summary(&output.stdout),
            pylock_summary(&expected),
            "verse export -f pylock.toml {:?} on {}",
            case.args,
            case.project
        );
        assert!(
            output.stdout.contains("url = \"file://"),
            "wheel URLs are written"
        );
    }
}

#[test]
fn installing_from_an_exported_pylock_gives_the_same_venv_as_from_poetry_lock() {
    use crate::install::wheel;
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let beta = wheel(&context, "beta", "2.0.0");
    let devtool = wheel(&context, "devtool", "0.3.0");
    let winonly = wheel(&context, "winonly", "1.0.0");
    let docs = wheel(&context, "docs-tool", "5.0.0");
    let project = context
        .project()
        .pyproject(
            Pyproject::new(Style::Poetry)
                .dep(Dep::new("alpha", "*"))
                .dep(Dep::new("winonly", "*").markers("sys_platform == 'win32'"))
                .group_dep("dev", Dep::new("devtool", "*"))
                .optional_group("docs")
                .group_dep("docs", Dep::new("docs-tool", "*")),
        )
        .lock(
            Lockfile::new(LockFormat::V2_1)
                .package(Locked::of(&alpha).depends("beta", "*"))
                .package(Locked::of(&beta))
                .package(Locked::of(&devtool).groups(&["dev"]))
                .package(Locked::of(&winonly).markers("sys_platform == \"win32\""))
                .package(Locked::of(&docs).groups(&["docs"])),
        );
    project.write();
    let server = IndexServer::with_files([&alpha, &beta, &devtool, &winonly, &docs]);

    // Poetry's default install is every non-optional group; export's default is `main`.
    let pylock = context.root().join("pylock.toml");
    context
        .verse()
        .args([
            "export",
            "-f",
            "pylock.toml",
            "--with",
            "dev",
            "--index-url",
        ])
        .arg(server.url())
        .arg("-o")
        .arg(&pylock)
        .run()
        .success();
    let exported = read(&pylock);
    assert!(exported.contains("name = \"winonly\""), "{exported}");
    assert!(
        exported.contains("marker = 'sys_platform == \"win32\"'"),
        "{exported}"
    );
    assert!(!exported.contains("docs-tool"), "{exported}");

    let from_lock = context.root().join("venv-lock");
    let from_pylock = context.root().join("venv-pylock");
    context
        .install(&server)
        .arg("--venv")
        .arg(&from_lock)
        .run()
        .success();
    context
        .install(&server)
        .arg("--venv")
        .arg(&from_pylock)
        .arg("--lock")
        .arg(&pylock)
        .run()
        .success();

    assert_eq!(
        installed_in(&from_pylock),
        ["alpha==1.0.0", "beta==2.0.0", "devtool==0.3.0"]
    );
    assert_eq!(installed_in(&from_pylock), installed_in(&from_lock));
    // `verse check` reads the pylock too, and finds each venv clean against it.
    for venv in [&from_pylock, &from_lock] {
        context
            .verse()
            .args(["check", "--lock"])
            .arg(&pylock)
            .arg("--venv")
            .arg(venv)
            .run()
            .success()
            .stdout_has("OK, the venv matches the lock: 3 packages");
    }
    // Same files, REQUESTED markers and RECORDs included.
    assert_eq!(
        tree(&site_packages(&from_pylock)),
        tree(&site_packages(&from_lock))
    );
    for dist in ["alpha-1.0.0.dist-info", "devtool-0.3.0.dist-info"] {
        assert_eq!(
            read(&site_packages(&from_pylock).join(dist).join("RECORD")),
            read(&site_packages(&from_lock).join(dist).join("RECORD")),
        );
    }
}

#[test]
fn a_project_with_only_a_pylock_installs_from_it() {
    use crate::install::wheel;
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let server = IndexServer::with_files([&alpha]);
    let dir = context.project_dir();
    std::fs::write(
        dir.join("pylock.toml"),
        format!(
            "lock-version = \"1.0\"\ncreated-by = \"hand\"\n\n[[packages]]\nname = \"alpha\"\nversion = \"1.0.0\"\nindex = \"https://pypi.org/simple\"\nwheels = [{{name = \"{}\", hashes = {{sha256 = \"{}\"}}}}]\n\n[[packages]]\nname = \"never\"\nversion = \"1.0\"\nmarker = 'python_version < \"3\"'\nindex = \"https://pypi.org/simple\"\nwheels = [{{name = \"never-1.0-py2-none-any.whl\", hashes = {{sha256 = \"{}\"}}}}]\n",
            alpha.filename,
            alpha.sha256,
            "0".repeat(64)
        ),
    )
    .unwrap();
    context.install(&server).run().success();
    assert_eq!(installed_in(&context.venv()), ["alpha==1.0.0"]);
}
