//! The root project: installed editable the way Poetry does it (a `.pth` pointing into the
//! project, a dist-info with `direct_url.json`, its scripts), unless `--no-root` or
//! `package-mode = false`.

use super::*;

/// A package-mode project `demo-app` (import `demo_app` from `src/`) with a console script
/// `demo = demo_app:main`, depending on `alpha`.
fn root_project(context: &TestContext) -> IndexServer {
    let alpha = wheel(context, "alpha", "1.0.0");
    context
        .project()
        .pyproject(
            Pyproject::new(Style::Poetry)
                .root_package("demo_app")
                .script("demo", "demo_app:main")
                .dep(Dep::new("alpha", "*")),
        )
        .lock(Lockfile::new(LockFormat::V2_1).package(Locked::of(&alpha)))
        .write();
    std::fs::write(
        context.project_dir().join("src/demo_app/__init__.py"),
        "GREETING = 'hello'\ndef main():\n    print('demo says', GREETING)\n",
    )
    .expect("writing the root package");
    IndexServer::with_files([&alpha])
}

#[test]
fn root_project_is_importable_and_edits_are_visible_without_reinstalling() {
    let context = TestContext::new();
    let server = root_project(&context);

    context.install(&server).run().success();

    context
        .venv_python(&["-c", "import demo_app; print(demo_app.__file__)"])
        .success()
        .stdout_is("[TEMP]/project/src/demo_app/__init__.py\n");
    std::fs::write(
        context.project_dir().join("src/demo_app/__init__.py"),
        "GREETING = 'edited'\n",
    )
    .expect("editing the root package");
    context
        .venv_python(&["-c", "import demo_app; print(demo_app.GREETING)"])
        .success()
        .stdout_is("edited\n");
    assert_eq!(context.installed(), vec!["alpha==1.0.0", "demo-app==0.1.0"]);
}

#[test]
fn root_project_is_recorded_as_an_editable_directory() {
    let context = TestContext::new();
    let server = root_project(&context);

    context.install(&server).run().success();

    let dist_info = context.dist_info("demo-app");
    let direct_url: serde_json::Value =
        serde_json::from_str(&read(&dist_info.join("direct_url.json"))).expect("JSON");
    assert_eq!(direct_url["dir_info"]["editable"], true);
    assert_eq!(
        direct_url["url"],
        format!("file://{}", context.project_dir().display()).as_str()
    );
    let pth_lines: Vec<String> = std::fs::read_dir(context.site_packages())
        .expect("site-packages")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".pth"))
        .flat_map(|e| {
            read(&e.path())
                .lines()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    let src = context.project_dir().join("src").display().to_string();
    assert!(
        pth_lines.contains(&src),
        "no .pth line {src}: {pth_lines:?}"
    );
}

#[test]
fn root_project_scripts_are_installed() {
    let context = TestContext::new();
    let server = root_project(&context);

    context.install(&server).run().success();

    context
        .venv_bin("demo", &[])
        .success()
        .stdout_is("demo says hello\n");
}

#[test]
fn no_root_installs_only_the_dependencies() {
    let context = TestContext::new();
    let server = root_project(&context);

    let output = context.install(&server).arg("--no-root").run();

    output.success().added_exactly(&["alpha==1.0.0"]);
    assert_eq!(context.installed(), vec!["alpha==1.0.0"]);
    assert!(!context.venv().join("bin/demo").exists());
    context.venv_python(&["-c", "import demo_app"]).exit_code(1);
}

#[test]
fn no_root_is_read_from_the_environment() {
    let context = TestContext::new();
    let server = root_project(&context);

    context
        .install(&server)
        .env("VERSE_NO_ROOT", "true")
        .run()
        .success();

    assert_eq!(context.installed(), vec!["alpha==1.0.0"]);
}

#[test]
fn package_mode_false_never_installs_the_root() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    context
        .project()
        .pyproject(
            Pyproject::new(Style::Pep621)
                .package_mode(false)
                .dep(Dep::new("alpha", "*")),
        )
        .lock(Lockfile::new(LockFormat::V2_1).package(Locked::of(&alpha)))
        .write();
    // Sources that look like a package must not change that.
    std::fs::create_dir_all(context.project_dir().join("demo_app")).expect("mkdir");
    std::fs::write(context.project_dir().join("demo_app/__init__.py"), "").expect("write");
    let server = IndexServer::with_files([&alpha]);

    let output = context.install(&server).run();

    output
        .success()
        .installed_count(1)
        .added_exactly(&["alpha==1.0.0"]);
    assert_eq!(context.installed(), vec!["alpha==1.0.0"]);
}

#[test]
fn root_project_without_its_package_is_an_error_suggesting_no_root() {
    let context = TestContext::new();
    let server = root_project(&context);
    std::fs::remove_dir_all(context.project_dir().join("src")).expect("removing src/");

    let output = context.install(&server).run();

    output
        .user_error()
        .error_has("demo")
        .stderr_has("--no-root");
}

#[test]
fn project_option_installs_a_project_from_another_directory() {
    let context = TestContext::new();
    let server = root_project(&context);

    context
        .install(&server)
        .arg("--project")
        .arg(context.project_dir())
        .current_dir(context.root())
        .run()
        .success();

    assert_eq!(context.installed(), vec!["alpha==1.0.0", "demo-app==0.1.0"]);
}
