//! Where packages come from and where they go: `--index-url` (flag and variable), a private
//! `[[tool.poetry.source]]` named by a package's `[package.source]`, an HTML-only index, and
//! the venv chosen by `--venv`, `VIRTUAL_ENV` or the default `<project>/.venv`.

use super::*;

#[test]
fn private_source_serves_the_packages_locked_from_it() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let secret = wheel(&context, "secret", "3.0.0");
    let public = IndexServer::with_files([&alpha]);
    let private = IndexServer::with_files([&secret]);
    context
        .project()
        .pyproject(
            Pyproject::new(Style::Poetry)
                .dep(Dep::new("alpha", "*"))
                .dep(Dep::new("secret", "*").source("internal"))
                .source("internal", &private.url(), "explicit"),
        )
        .lock(
            Lockfile::new(LockFormat::V2_1)
                .package(Locked::of(&alpha))
                .package(Locked::of(&secret).legacy_source("internal", &private.url())),
        )
        .write();

    let output = context.install(&public).run();

    output
        .success()
        .added_exactly(&["alpha==1.0.0", "secret==3.0.0"]);
    assert_eq!(private.downloads(), vec![secret.filename.clone()]);
    assert_eq!(public.downloads(), vec![alpha.filename.clone()]);
    assert!(
        public.requests().iter().all(|r| !r.path.contains("secret")),
        "the public index was asked for a private package"
    );
    assert!(
        private.requests().iter().all(|r| !r.path.contains("alpha")),
        "the private index was asked for a public package"
    );
}

#[test]
fn private_source_is_found_by_name_case_insensitively() {
    let context = TestContext::new();
    let secret = wheel(&context, "secret", "3.0.0");
    let public = IndexServer::start();
    let private = IndexServer::with_files([&secret]);
    context
        .project()
        .pyproject(
            Pyproject::new(Style::Pep621)
                .dep(Dep::new("secret", "*").source("Internal"))
                .source("Internal", &private.url(), "explicit"),
        )
        .lock(
            Lockfile::new(LockFormat::V2_1)
                .package(Locked::of(&secret).legacy_source("internal", &private.url())),
        )
        .write();

    context.install(&public).run().success();

    assert_eq!(context.installed(), vec!["secret==3.0.0"]);
}

#[test]
fn unknown_source_name_in_the_lock_is_an_error() {
    let context = TestContext::new();
    let secret = wheel(&context, "secret", "3.0.0");
    let public = IndexServer::with_files([&secret]);
    context
        .project()
        .pyproject(Pyproject::new(Style::Poetry).dep(Dep::new("secret", "*")))
        .lock(
            Lockfile::new(LockFormat::V2_1).package(
                Locked::of(&secret).legacy_source("vanished", "http://127.0.0.1:9/simple"),
            ),
        )
        .write();

    let output = context.install(&public).run();

    output.user_error().error_has("vanished");
    assert!(public.downloads().is_empty());
}

#[test]
fn html_only_index_works() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let (_, server) = project_with(&context, &[&alpha]);
    server.html_only();

    context.install(&server).run().success();

    assert_eq!(imported_versions(&context, &["alpha"]), "alpha 1.0.0\n");
    assert_eq!(server.downloads(), vec![alpha.filename.clone()]);
}

#[test]
fn index_is_asked_for_pep691_json_first() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let (_, server) = project_with(&context, &[&alpha]);

    context.install(&server).run().success();

    let page = server
        .requests()
        .into_iter()
        .find(|r| r.path == "/simple/alpha/")
        .expect("verse asked for alpha's project page");
    assert!(
        page.header("accept").unwrap_or("").contains(PEP691_JSON),
        "{page:?}"
    );
}

#[test]
fn index_url_is_read_from_the_environment() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let (_, server) = project_with(&context, &[&alpha]);

    context
        .verse()
        .arg("install")
        .env("VERSE_INDEX_URL", server.url())
        .run()
        .success();

    assert_eq!(server.downloads(), vec![alpha.filename.clone()]);
}

#[test]
fn transient_server_errors_are_retried() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let (_, server) = project_with(&context, &[&alpha]);
    let path = format!("/files/{}", alpha.filename);
    server.fault(&path, Fault::Status(503), Some(1));

    context.install(&server).run().success();

    assert_eq!(
        server.downloads(),
        vec![alpha.filename.clone(), alpha.filename.clone()]
    );
    assert_eq!(context.installed(), vec!["alpha==1.0.0"]);
}

#[test]
fn venv_option_installs_elsewhere() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let (_, server) = project_with(&context, &[&alpha]);
    let elsewhere = context.root().join("opt-venv");

    context
        .install(&server)
        .arg("--venv")
        .arg(&elsewhere)
        .run()
        .success();

    assert_eq!(installed_in(&elsewhere), vec!["alpha==1.0.0"]);
    assert!(!context.venv().exists());
}

#[test]
fn active_virtual_env_is_the_default_target() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let (_, server) = project_with(&context, &[&alpha]);
    let active = context.root().join("active-venv");

    context
        .install(&server)
        .env("VIRTUAL_ENV", &active)
        .run()
        .success();

    assert_eq!(installed_in(&active), vec!["alpha==1.0.0"]);
    assert!(!context.venv().exists());
}

#[test]
fn venv_variable_beats_virtual_env() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let (_, server) = project_with(&context, &[&alpha]);
    let active = context.root().join("active-venv");
    let chosen = context.root().join("chosen-venv");

    context
        .install(&server)
        .env("VIRTUAL_ENV", &active)
        .env("VERSE_VENV", &chosen)
        .run()
        .success();

    assert_eq!(installed_in(&chosen), vec!["alpha==1.0.0"]);
    assert!(!active.exists());
}

#[test]
fn existing_venv_made_by_python_is_reused() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let (_, server) = project_with(&context, &[&alpha]);
    let status = std::process::Command::new("python3")
        .args(["-m", "venv", "--without-pip"])
        .arg(context.venv())
        .status()
        .expect("running python3 -m venv");
    assert!(status.success());
    let marker = context.venv().join("marker.txt");
    std::fs::write(&marker, "kept").expect("writing a marker");

    context.install(&server).run().success();

    assert_eq!(read(&marker), "kept");
    assert_eq!(context.installed(), vec!["alpha==1.0.0"]);
}

/// Not a terminal (a Docker build, CI): no bar, but a plain line per downloaded file, so a
/// long download is not a silent step (README "Output and exit codes"). `-q` drops them.
#[test]
fn log_output_has_a_line_per_download() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let beta = wheel(&context, "beta", "2.0.0");
    let (_, server) = project_with(&context, &[&alpha, &beta]);

    let output = context.install(&server).run();

    output
        .success()
        .stderr_has(&format!("Downloaded {}", alpha.filename))
        .stderr_has(&format!("Downloaded {}", beta.filename))
        .stderr_lacks("\r");

    let context = TestContext::new();
    let (_, server) = project_with(&context, &[&alpha]);
    context
        .install(&server)
        .arg("-q")
        .run()
        .success()
        .stderr_lacks("Downloaded");
}

#[test]
fn quiet_prints_no_package_lines() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let (_, server) = project_with(&context, &[&alpha]);

    let output = context.install(&server).arg("-q").run();

    output.success().stderr_lacks("+ alpha");
    assert_eq!(output.stdout, "");
    assert_eq!(context.installed(), vec!["alpha==1.0.0"]);
}
