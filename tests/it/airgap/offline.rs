//! Installing with no network: `--offline` with `--find-links` folders and `file://` indexes,
//! with a live index configured whose request log must stay empty, and every missing file
//! reported at once.

use super::*;

/// Three wheels, a locked project, and a live index that serves them all.
fn setup(context: &TestContext) -> (Vec<DistFile>, IndexServer) {
    let wheels = vec![
        wheel(context, "alpha", "1.0.0"),
        wheel(context, "beta-pkg", "2.0.0"),
        wheel(context, "gamma", "3.1.0"),
    ];
    let refs: Vec<&DistFile> = wheels.iter().collect();
    locked_project(context, &refs);
    let server = IndexServer::with_files(refs.iter().copied());
    (wheels, server)
}

#[test]
fn download_then_offline_install_touches_no_network() {
    let context = TestContext::new();
    let (_, server) = setup(&context);
    let dest = context.root().join("wheelhouse");

    context
        .verse()
        .args(["download", "--index-url", &server.url(), "--dest"])
        .arg(&dest)
        .run()
        .success();
    assert_eq!(server.downloads().len(), 3);
    server.clear_log();

    // A fresh cache, and the live index still configured: nothing may reach it.
    let output = context
        .verse()
        .args([
            "install",
            "--offline",
            "--index-url",
            &server.url(),
            "--find-links",
        ])
        .arg(&dest)
        .env("VERSE_CACHE_DIR", context.root().join("fresh-cache"))
        .run();

    output
        .success()
        .added_exactly(&["alpha==1.0.0", "beta-pkg==2.0.0", "gamma==3.1.0"]);
    assert!(server.requests().is_empty(), "{:?}", server.requests());
    assert_eq!(
        imports(&context, &["alpha", "beta-pkg", "gamma"]),
        "alpha 1.0.0\nbeta_pkg 2.0.0\ngamma 3.1.0\n"
    );
}

#[test]
fn offline_reports_every_missing_file_with_a_hint() {
    let context = TestContext::new();
    let (wheels, server) = setup(&context);
    // Only alpha is available locally.
    let folder = context.root().join("partial");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::copy(&wheels[0].path, folder.join(&wheels[0].filename)).unwrap();

    let output = context
        .verse()
        .args([
            "install",
            "--offline",
            "--index-url",
            &server.url(),
            "--find-links",
        ])
        .arg(&folder)
        .run();

    output
        .fails()
        .error_has("2 files are not in the cache or any local source")
        .error_has(&wheels[1].filename)
        .error_has(&wheels[2].filename)
        .error_has("verse download");
    assert!(!output.stderr.contains(&format!("- {}", wheels[0].filename)));
    assert!(server.requests().is_empty(), "{:?}", server.requests());
    // Nothing was installed: the venv is not even created before every file is at hand.
    assert!(!context.venv().join("pyvenv.cfg").exists());
}

#[test]
fn offline_install_from_the_cache_alone() {
    let context = TestContext::new();
    let (_, server) = setup(&context);
    context.install(&server).run().success();
    std::fs::remove_dir_all(context.venv()).unwrap();
    server.clear_log();

    context
        .verse()
        .args(["install", "--offline", "--index-url", &server.url()])
        .run()
        .success()
        .installed_count(3);

    assert!(server.requests().is_empty());
}

#[test]
fn find_links_install_without_offline_uses_no_index() {
    let context = TestContext::new();
    let (wheels, server) = setup(&context);

    let output = context
        .install(&server)
        .arg("--find-links")
        .arg(context.wheels_dir())
        .run();

    output.success().installed_count(3);
    assert!(server.requests().is_empty(), "{:?}", server.requests());
    assert_eq!(
        imports(&context, &["gamma"]),
        format!("gamma {}\n", wheels[2].version)
    );
}

#[test]
fn find_links_file_that_does_not_match_the_lock_is_refused() {
    let context = TestContext::new();
    let (wheels, _server) = setup(&context);
    let folder = context.root().join("tampered");
    std::fs::create_dir_all(&folder).unwrap();
    for wheel in &wheels {
        std::fs::copy(&wheel.path, folder.join(&wheel.filename)).unwrap();
    }
    // Same name, other bytes.
    let other = WheelBuilder::new("beta-pkg", "2.0.0")
        .package("beta_pkg")
        .file("beta_pkg/evil.py", "print('not the locked file')\n")
        .build(&context.root().join("elsewhere"));
    std::fs::copy(&other.path, folder.join(&wheels[1].filename)).unwrap();

    let output = context
        .verse()
        .args(["install", "--offline", "--find-links"])
        .arg(&folder)
        .run();

    output
        .failure()
        .error_has(&wheels[1].filename)
        .error_has("does not match the lock")
        .error_has(&wheels[1].sha256);
    assert!(!context.venv().join("pyvenv.cfg").exists());
}

#[test]
fn file_index_install_with_the_flag_and_the_variable() {
    let context = TestContext::new();
    let (_, server) = setup(&context);
    let dest = context.root().join("mirror");
    context
        .verse()
        .args(["download", "--index-url", &server.url(), "--dest"])
        .arg(&dest)
        .run()
        .success();
    server.clear_log();
    let index = format!("file://{}/simple", dest.display());

    context
        .verse()
        .args(["install", "--offline", "--index-url", &index])
        .env("VERSE_CACHE_DIR", context.root().join("cache-2"))
        .run()
        .success()
        .installed_count(3);
    std::fs::remove_dir_all(context.venv()).unwrap();
    // Without --offline too, through the environment variable: the pages are read from disk.
    context
        .verse()
        .arg("install")
        .env("VERSE_INDEX_URL", &index)
        .env("VERSE_CACHE_DIR", context.root().join("cache-3"))
        .run()
        .success()
        .installed_count(3);

    assert!(server.requests().is_empty());
    assert_eq!(imports(&context, &["alpha"]), "alpha 1.0.0\n");
}

#[test]
fn file_index_written_with_html_only_still_works() {
    let context = TestContext::new();
    let (_, server) = setup(&context);
    let dest = context.root().join("mirror");
    context
        .verse()
        .args(["download", "--index-url", &server.url(), "--dest"])
        .arg(&dest)
        .run()
        .success();
    // A mirror copied by a tool that kept only the HTML pages.
    for page in tree(&dest.join("simple")) {
        if page.ends_with("index.json") {
            std::fs::remove_file(dest.join("simple").join(page)).unwrap();
        }
    }

    context
        .verse()
        .args(["install", "--offline", "--index-url"])
        .arg(format!("file://{}/simple/", dest.display()))
        .env("VERSE_CACHE_DIR", context.root().join("cache-2"))
        .run()
        .success()
        .installed_count(3);
}

#[test]
fn a_find_links_folder_that_does_not_exist_is_an_input_error() {
    let context = TestContext::new();
    let (_, server) = setup(&context);

    context
        .verse()
        .args(["install", "--offline", "--find-links"])
        .arg(context.root().join("no-such-wheelhouse"))
        .run()
        .user_error()
        .error_has("no-such-wheelhouse");
    assert!(server.requests().is_empty());
}
