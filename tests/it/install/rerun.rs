//! Installing again: a re-run is idempotent and downloads nothing, a changed version replaces
//! the old files, the cache serves a second venv with the index gone, `--no-cache` and
//! `--cache-dir` do what they say, and `--dry-run` changes nothing.

use super::*;

#[test]
fn rerun_downloads_nothing_and_leaves_installed_files_alone() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let beta = wheel(&context, "beta", "1.0.0");
    let (_, server) = project_with(&context, &[&alpha, &beta]);
    context.install(&server).run().success();
    assert_eq!(server.downloads().len(), 2);
    let before = mtimes(&context.site_packages());
    server.clear_log();

    let output = context.install(&server).run();

    output.success();
    assert_eq!(server.downloads(), Vec::<String>::new());
    assert_eq!(mtimes(&context.site_packages()), before);
    assert_eq!(context.installed(), vec!["alpha==1.0.0", "beta==1.0.0"]);
}

#[test]
fn rerun_without_cache_still_downloads_nothing_when_everything_is_installed() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let (_, server) = project_with(&context, &[&alpha]);
    context.install(&server).arg("--no-cache").run().success();
    assert_eq!(server.downloads(), vec![alpha.filename.clone()]);
    assert_eq!(context.installed(), vec!["alpha==1.0.0"]);
    server.clear_log();

    context.install(&server).arg("--no-cache").run().success();

    assert_eq!(server.downloads(), Vec::<String>::new());
}

#[test]
fn new_locked_version_replaces_the_old_files() {
    let context = TestContext::new();
    let v1 = WheelBuilder::new("alpha", "1.0.0")
        .package("alpha")
        .file("alpha/old_only.py", "OLD = True\n")
        .console_script("alpha-old", "alpha:main")
        .build(&context.wheels_dir());
    let v2 = WheelBuilder::new("alpha", "2.0.0")
        .package("alpha")
        .file("alpha/new_only.py", "NEW = True\n")
        .build(&context.wheels_dir());
    let (project, server) = project_with(&context, &[&v1]);
    server.add(&v2);
    context.install(&server).run().success();
    assert!(context.site_packages().join("alpha/old_only.py").is_file());
    project
        .clone()
        .lock(Lockfile::new(LockFormat::V2_1).package(Locked::of(&v2)))
        .write();

    let output = context.install(&server).run();

    output.success().added_exactly(&["alpha==2.0.0"]);
    let site = context.site_packages();
    assert!(
        !site.join("alpha/old_only.py").exists(),
        "v1 file left behind"
    );
    assert!(
        !site.join("alpha-1.0.0.dist-info").exists(),
        "v1 dist-info left behind"
    );
    assert!(
        !context.venv().join("bin/alpha-old").exists(),
        "v1 script left behind"
    );
    assert!(site.join("alpha/new_only.py").is_file());
    assert_eq!(context.installed(), vec!["alpha==2.0.0"]);
    assert_eq!(imported_versions(&context, &["alpha"]), "alpha 2.0.0\n");
}

#[test]
fn cache_serves_a_second_venv_when_the_index_is_gone() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let beta = wheel(&context, "beta", "1.0.0");
    let (_, server) = project_with(&context, &[&alpha, &beta]);
    context.install(&server).run().success();
    drop(server);
    let second = context.root().join("second-venv");

    let output = context
        .verse()
        .arg("install")
        .arg("--index-url")
        .arg(dead_url())
        .arg("--venv")
        .arg(&second)
        .run();

    output.success();
    assert_eq!(installed_in(&second), vec!["alpha==1.0.0", "beta==1.0.0"]);
    context
        .python_in(&second, &["-c", "import alpha, beta"])
        .success();
}

#[test]
fn unreachable_index_without_cache_fails_naming_the_url() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let (_, _server) = project_with(&context, &[&alpha]);
    let dead = dead_url();

    let output = context
        .verse()
        .args(["install", "--index-url", &dead])
        .run();

    output.failure().stderr_has("127.0.0.1:[PORT]");
    assert!(context.installed().is_empty());
}

#[test]
fn no_cache_leaves_the_cache_directory_empty() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let (_, server) = project_with(&context, &[&alpha]);

    context.install(&server).arg("--no-cache").run().success();

    assert_eq!(tree(&context.cache_dir()), Vec::<String>::new());
    assert_eq!(context.installed(), vec!["alpha==1.0.0"]);
}

#[test]
fn cache_dir_option_moves_the_cache() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let (_, server) = project_with(&context, &[&alpha]);
    let elsewhere = context.root().join("elsewhere-cache");

    context
        .install(&server)
        .arg("--cache-dir")
        .arg(&elsewhere)
        .run()
        .success();

    assert!(
        !tree(&elsewhere).is_empty(),
        "nothing cached in --cache-dir"
    );
    assert_eq!(tree(&context.cache_dir()), Vec::<String>::new());
}

#[test]
fn cache_defaults_to_xdg_cache_home() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let (_, server) = project_with(&context, &[&alpha]);

    context
        .install(&server)
        .env_remove("VERSE_CACHE_DIR")
        .run()
        .success();

    assert!(
        !tree(&context.xdg_cache_home().join("verse")).is_empty(),
        "nothing cached under $XDG_CACHE_HOME/verse"
    );
}

#[test]
fn reinstall_into_a_fresh_venv_comes_from_the_cache() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let (_, server) = project_with(&context, &[&alpha]);
    context.install(&server).run().success();
    server.clear_log();
    std::fs::remove_dir_all(context.venv()).expect("removing the venv");

    context.install(&server).run().success();

    assert_eq!(server.downloads(), Vec::<String>::new());
    assert_eq!(context.installed(), vec!["alpha==1.0.0"]);
}

#[test]
fn dry_run_creates_no_venv_and_downloads_nothing() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let beta = wheel(&context, "beta", "2.0.0");
    let (_, server) = project_with(&context, &[&alpha, &beta]);

    let output = context.install(&server).arg("--dry-run").run();

    output
        .success()
        .output_has("alpha")
        .output_has("1.0.0")
        .output_has("beta")
        .output_has("2.0.0");
    assert!(!context.venv().exists(), "--dry-run created the venv");
    assert_eq!(server.downloads(), Vec::<String>::new());
    assert_eq!(tree(&context.cache_dir()), Vec::<String>::new());
}

#[test]
fn dry_run_leaves_an_existing_venv_unchanged() {
    let context = TestContext::new();
    let v1 = wheel(&context, "alpha", "1.0.0");
    let v2 = wheel(&context, "alpha", "2.0.0");
    let (project, server) = project_with(&context, &[&v1]);
    server.add(&v2);
    context.install(&server).run().success();
    let before = mtimes(&context.venv());
    project
        .clone()
        .lock(Lockfile::new(LockFormat::V2_1).package(Locked::of(&v2)))
        .write();
    server.clear_log();

    context
        .install(&server)
        .arg("--dry-run")
        .run()
        .success()
        .output_has("2.0.0");

    assert_eq!(mtimes(&context.venv()), before);
    assert_eq!(context.installed(), vec!["alpha==1.0.0"]);
    assert_eq!(server.downloads(), Vec::<String>::new());
}
