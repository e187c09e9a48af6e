//! Every refusal: a stale lock, a wheel whose bytes are not the locked ones, a package with no
//! wheel for this platform, a corrupt sdist or missing path dependency, a lock entry without hashes,
//! an interpreter outside the project's Python range. Each one says what and why, exits with
//! the documented code, and installs nothing.

use super::*;

/// Nothing was installed: no venv, or one without any distribution.
fn assert_nothing_installed(context: &TestContext) {
    assert_eq!(context.installed(), Vec::<String>::new());
}

#[test]
fn stale_lock_is_an_error_that_says_so() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let (mut project, server) = project_with(&context, &[&alpha]);
    project.pyproject = project.pyproject.clone().dep(Dep::new("newcomer", ">=1"));
    project.write_pyproject();

    let output = context.install(&server).run();

    output
        .user_error()
        .error_has("poetry.lock")
        .stderr_has("pyproject.toml")
        .stderr_has("poetry lock")
        .stderr_has("--allow-stale-lock");
    assert_nothing_installed(&context);
    assert!(server.downloads().is_empty());
}

#[test]
fn description_changes_do_not_make_the_lock_stale() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let (project, server) = project_with(&context, &[&alpha]);
    let text = read(&project.pyproject_path()).replace(
        "description = \"verse test project\"",
        "description = \"changed\"",
    );
    std::fs::write(project.pyproject_path(), text).expect("editing pyproject.toml");

    context.install(&server).run().success();

    assert_eq!(context.installed(), vec!["alpha==1.0.0"]);
}

#[test]
fn allow_stale_lock_installs_what_the_lock_says() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let (mut project, server) = project_with(&context, &[&alpha]);
    project.pyproject = project.pyproject.clone().dep(Dep::new("newcomer", ">=1"));
    project.write_pyproject();

    context
        .install(&server)
        .arg("--allow-stale-lock")
        .run()
        .success();

    assert_eq!(context.installed(), vec!["alpha==1.0.0"]);
}

#[test]
fn hash_mismatch_names_the_file_and_installs_nothing() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let beta = wheel(&context, "beta", "1.0.0");
    let (_, server) = project_with(&context, &[&alpha, &beta]);
    // The index now serves (and lists the hash of) other bytes under alpha's name.
    let impostor = WheelBuilder::new("alpha", "1.0.0")
        .file("alpha/__init__.py", "__version__ = 'impostor'\n")
        .build(&context.root().join("impostor"));
    server.replace_bytes(&alpha.filename, impostor.bytes());

    let output = context.install(&server).run();

    output
        .failure()
        .stderr_has(&alpha.filename)
        .stderr_has(&alpha.sha256)
        .stderr_has(&impostor.sha256);
    assert_nothing_installed(&context);
    assert!(
        tree(&context.cache_dir())
            .iter()
            .all(|path| !path.contains(&impostor.sha256)),
        "unverified bytes were cached"
    );
}

#[test]
fn truncated_download_fails_and_installs_nothing() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let (_, server) = project_with(&context, &[&alpha]);
    server.fault(
        &format!("/files/{}", alpha.filename),
        Fault::Truncate(100),
        None,
    );

    let output = context.install(&server).run();

    output.failure().stderr_has(&alpha.filename);
    assert_nothing_installed(&context);
}

/// A package locked with three wheels, none of which fits Linux CPython 3.x.
fn foreign_wheels(context: &TestContext) -> (Vec<DistFile>, IndexServer) {
    let dir = context.wheels_dir();
    let wheels: Vec<DistFile> = [
        "cp39-cp39-win_amd64",
        "cp311-cp311-macosx_11_0_arm64",
        "cp27-cp27mu-manylinux1_x86_64",
    ]
    .iter()
    .map(|tag| {
        WheelBuilder::new("native", "1.0.0")
            .tag(tag)
            .platlib()
            .package("native")
            .build(&dir)
    })
    .collect();
    let mut locked = Locked::new("native", "1.0.0");
    for wheel in &wheels {
        locked = locked.file(wheel);
    }
    context
        .project()
        .pyproject(Pyproject::new(Style::Poetry).dep(Dep::new("native", "*")))
        .lock(Lockfile::new(LockFormat::V2_1).package(locked))
        .write();
    let server = IndexServer::with_files(&wheels);
    (wheels, server)
}

#[test]
fn no_wheel_for_this_platform_lists_the_locked_files_and_why() {
    let context = TestContext::new();
    let (wheels, server) = foreign_wheels(&context);

    let output = context.install(&server).run();

    output.user_error().error_has("native");
    for wheel in &wheels {
        output.stderr_has(&wheel.filename);
    }
    // Why each was rejected is free text; the target it was compared with must be named.
    let (major, minor) = default_python_version();
    output.stderr_has(&format!("cp{major}{minor}"));
    assert_nothing_installed(&context);
    assert!(server.downloads().is_empty());
}

#[test]
fn a_corrupt_sdist_fails_clearly_and_installs_nothing() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let source = sdist("needs-build", "0.5.0", &context.wheels_dir());
    context
        .project()
        .pyproject(
            Pyproject::new(Style::Poetry)
                .dep(Dep::new("alpha", "*"))
                .dep(Dep::new("needs-build", "*")),
        )
        .lock(
            Lockfile::new(LockFormat::V2_1)
                .package(Locked::of(&alpha))
                .package(Locked::of(&source)),
        )
        .write();
    let server = IndexServer::with_files([&alpha, &source]);

    let output = context.install(&server).run();

    output
        .failure()
        .error_has("cannot unpack the sdist of needs-build==0.5.0")
        .stderr_has(&source.filename);
    assert_nothing_installed(&context);
}

#[test]
fn a_missing_path_dependency_fails_clearly_instead_of_being_skipped() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let mut local = Locked::new("localpkg", "0.1.0");
    local.source = Some((
        "directory".to_string(),
        "libs/localpkg".to_string(),
        String::new(),
    ));
    context
        .project()
        .pyproject(Pyproject::new(Style::Poetry).dep(Dep::new("alpha", "*")))
        .lock(
            Lockfile::new(LockFormat::V2_1)
                .package(Locked::of(&alpha))
                .package(local),
        )
        .write();
    let server = IndexServer::with_files([&alpha]);

    let output = context.install(&server).run();

    output.user_error().error_has("localpkg");
    assert_nothing_installed(&context);
}

#[test]
fn unhashed_lock_entry_is_refused_with_a_hint() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let (project, server) = project_with(&context, &[&alpha]);
    project
        .clone()
        .lock(Lockfile::new(LockFormat::V2_1).package(Locked::of(&alpha).unhashed()))
        .write();

    let output = context.install(&server).run();

    output
        .user_error()
        .error_has("alpha")
        .stderr_has("hint: ")
        .stderr_has("--allow-unhashed");
    assert_nothing_installed(&context);
    assert!(server.downloads().is_empty());
}

#[test]
fn allow_unhashed_installs_the_entry_from_the_index() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let (project, server) = project_with(&context, &[&alpha]);
    project
        .clone()
        .lock(Lockfile::new(LockFormat::V2_1).package(Locked::of(&alpha).unhashed()))
        .write();

    context
        .install(&server)
        .arg("--allow-unhashed")
        .run()
        .success();

    assert_eq!(context.installed(), vec!["alpha==1.0.0"]);
}

#[test]
fn interpreter_outside_the_project_python_range_is_refused() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let (major, minor) = default_python_version();
    let range = format!(">={major}.{}", minor + 1);
    context
        .project()
        .pyproject(
            Pyproject::new(Style::Poetry)
                .python(&range)
                .dep(Dep::new("alpha", "*")),
        )
        .lock(Lockfile::new(LockFormat::V2_1).package(Locked::of(&alpha)))
        .write();
    let server = IndexServer::with_files([&alpha]);

    let output = context.install(&server).run();

    output
        .user_error()
        .stderr_has(&format!("{major}.{minor}"))
        .stderr_has(&range);
    assert!(
        !context.venv().exists(),
        "a venv was created for a refused interpreter"
    );
}

#[test]
fn python_option_takes_an_interpreter_path() {
    let Some(python) = pyenv_python("3.12") else {
        eprintln!("skipped: no pyenv CPython 3.12 on this machine");
        return;
    };
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let (_, server) = project_with(&context, &[&alpha]);

    context
        .install(&server)
        .arg("--python")
        .arg(&python)
        .run()
        .success();

    context
        .venv_python(&["-c", "import sys, alpha; print(sys.version_info[:2])"])
        .success()
        .stdout_is("(3, 12)\n");
}

#[test]
fn python_option_path_outside_the_range_is_refused() {
    let Some(python) = pyenv_python("3.9") else {
        eprintln!("skipped: no pyenv CPython 3.9 on this machine");
        return;
    };
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    context
        .project()
        .pyproject(
            Pyproject::new(Style::Poetry)
                .python("^3.10")
                .dep(Dep::new("alpha", "*")),
        )
        .lock(Lockfile::new(LockFormat::V2_1).package(Locked::of(&alpha)))
        .write();
    let server = IndexServer::with_files([&alpha]);

    let output = context.install(&server).arg("--python").arg(&python).run();

    output.user_error().stderr_has("3.9").stderr_has("^3.10");
    assert_nothing_installed(&context);
}

#[test]
fn errors_use_the_error_caused_by_hint_layout() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let (_, _server) = project_with(&context, &[&alpha]);
    std::fs::write(
        context.project_dir().join("poetry.lock"),
        "[[package]\nname = ",
    )
    .expect("breaking poetry.lock");

    let output = context.verse().arg("install").run();

    output.user_error().error_has("poetry.lock");
    let first = output.stderr.lines().find(|l| !l.trim().is_empty());
    assert!(
        first.is_some_and(|l| l.starts_with("error: ")),
        "the first line must be the error: {}",
        output.stderr
    );
}

#[test]
fn missing_lock_is_an_error_with_a_hint() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let (project, _server) = project_with(&context, &[&alpha]);
    std::fs::remove_file(project.lock_path()).expect("removing poetry.lock");

    context
        .verse()
        .arg("install")
        .run()
        .user_error()
        .error_has("poetry.lock")
        .stderr_has("hint: ");
}

#[test]
fn wheel_path_escaping_the_venv_is_refused_and_nothing_is_written_outside() {
    let context = TestContext::new();
    let evil = WheelBuilder::new("evil", "1.0.0")
        .package("evil")
        .raw_entry("../../../../escaped.py", "print('out')\n")
        .build(&context.wheels_dir());
    let (_, server) = project_with(&context, &[&evil]);

    let output = context.install(&server).run();

    output.fails().error_has("evil").stderr_has("escaped.py");
    // Four levels up from site-packages is the project directory: still inside the sandbox.
    let written = tree(context.root());
    assert!(
        written.iter().all(|path| !path.ends_with("escaped.py")),
        "escaped.py was written: {written:?}"
    );
    assert!(
        written
            .iter()
            .all(|path| !path.ends_with("evil/__init__.py")),
        "the rest of the wheel was installed: {written:?}"
    );
}

#[test]
fn python_option_takes_a_version_found_on_path() {
    let Some(python) = pyenv_python("3.12") else {
        eprintln!("skipped: no pyenv CPython 3.12 on this machine");
        return;
    };
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let (_, server) = project_with(&context, &[&alpha]);
    let bin = context.root().join("bin");
    std::fs::create_dir_all(&bin).expect("mkdir bin");
    std::os::unix::fs::symlink(&python, bin.join("python3.12")).expect("symlink python3.12");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );

    context
        .install(&server)
        .args(["--python", "3.12"])
        .env("PATH", path)
        .run()
        .success();

    context
        .venv_python(&["-c", "import sys, alpha; print(sys.version_info[:2])"])
        .success()
        .stdout_is("(3, 12)\n");
}

#[test]
fn existing_venv_of_another_python_is_refused_with_a_hint() {
    let Some(python) = pyenv_python("3.12") else {
        eprintln!("skipped: no pyenv CPython 3.12 on this machine");
        return;
    };
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let (_, server) = project_with(&context, &[&alpha]);
    context.install(&server).run().success();
    let before = mtimes(&context.venv());

    let output = context.install(&server).arg("--python").arg(&python).run();

    output.user_error().error_has(".venv").stderr_has("hint: ");
    assert_eq!(mtimes(&context.venv()), before);
}

/// A wrong flag is a wrong request: exit code 1 as the README's table says, not clap's 2
/// (which the README reserves for work that failed and is safe to re-run). Help and version
/// still succeed.
#[test]
fn command_line_mistakes_are_input_errors() {
    let context = TestContext::new();

    context
        .verse()
        .args(["install", "--no-such-flag"])
        .run()
        .user_error()
        .error_has("--no-such-flag");
    context
        .verse()
        .args(["install", "--concurrent-downloads", "0"])
        .run()
        .user_error()
        .error_has("--concurrent-downloads");
    context.verse().run().user_error();
    context.verse().args(["install", "--help"]).run().success();
    context.verse().arg("--version").run().success();
}
