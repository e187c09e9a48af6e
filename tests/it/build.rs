//! Packages that are not ready wheels, end to end: an sdist from the index, directory
//! dependencies (editable and not), git dependencies (a local repository made by the test),
//! file and URL dependencies, and the project itself built as a wheel (`--no-editable`).
//!
//! Every build uses the in-tree backend of `support/backend.py` (`backend-path = ["."]`), so
//! no build tool is downloaded; build requirements are wheels served by the loopback index.

use crate::support::*;

fn pyproject_with(names: &[&str]) -> Pyproject {
    let mut pyproject = Pyproject::new(Style::Poetry);
    for name in names {
        pyproject = pyproject.dep(Dep::new(name, "*"));
    }
    pyproject
}

fn value_of(context: &TestContext, module: &str) -> String {
    context
        .venv_python(&["-c", &format!("import {module}; print({module}.VALUE)")])
        .success()
        .stdout
        .trim()
        .to_string()
}

fn direct_url(context: &TestContext, name: &str) -> serde_json::Value {
    let text = read(&context.dist_info(name).join("direct_url.json"));
    serde_json::from_str(&text).expect("direct_url.json is JSON")
}

fn file_url(path: &std::path::Path) -> String {
    format!("file://{}", path.display())
}

#[test]
fn sdist_only_package_is_built_installed_and_built_once() {
    let context = TestContext::new();
    let tree = SourceTree::new("docopt-like", "0.6.2");
    let sdist = tree.sdist(
        &context.root().join("src"),
        &context.wheels_dir(),
        "from sdist",
    );
    context
        .project()
        .pyproject(pyproject_with(&["docopt-like"]))
        .lock(Lockfile::new(LockFormat::V2_1).package(Locked::of(&sdist)))
        .write();
    let server = IndexServer::with_files([&sdist]);

    context
        .install(&server)
        .run()
        .success()
        .stderr_has("Building docopt-like==0.6.2")
        .added_exactly(&["docopt-like==0.6.2"]);
    assert_eq!(value_of(&context, "docopt_like"), "from sdist");
    // Installed like any wheel: no direct_url.json (it came from the index), a clean check.
    assert!(!context
        .dist_info("docopt-like")
        .join("direct_url.json")
        .exists());
    context.verse().arg("check").run().success();

    // Another venv, same cache: the wheel built the first time is reused.
    server.clear_log();
    let other = context.root().join("other-venv");
    context
        .install(&server)
        .arg("--venv")
        .arg(&other)
        .run()
        .success()
        .stderr_lacks("Building")
        .added_exactly(&["docopt-like==0.6.2"]);
    assert!(server.downloads().is_empty(), "{:?}", server.downloads());
}

#[test]
fn build_requirements_are_resolved_from_the_index_and_stay_out_of_the_venv() {
    let context = TestContext::new();
    let tree = SourceTree::new("needs-helper", "1.0").requires("build-helper>=1.0", "build_helper");
    let sdist = tree.sdist(&context.root().join("src"), &context.wheels_dir(), "helped");
    // build-helper 2.0 needs helper-dep; 3.0 exists but is a pre-release, never chosen.
    let helper = WheelBuilder::new("build-helper", "2.0")
        .package("build_helper")
        .requires_dist("helper-dep>=1")
        .requires_dist("never-installed; python_version < '3'")
        .build(&context.wheels_dir());
    let old_helper = WheelBuilder::new("build-helper", "0.9")
        .package("build_helper")
        .build(&context.wheels_dir());
    let pre = WheelBuilder::new("build-helper", "3.0rc1")
        .package("build_helper")
        .requires_dist("does-not-exist")
        .build(&context.wheels_dir());
    let dep = WheelBuilder::new("helper-dep", "1.5")
        .package("helper_dep")
        .build(&context.wheels_dir());
    context
        .project()
        .pyproject(pyproject_with(&["needs-helper"]))
        .lock(Lockfile::new(LockFormat::V2_1).package(Locked::of(&sdist)))
        .write();
    let server = IndexServer::with_files([&sdist, &helper, &old_helper, &pre, &dep]);

    context
        .install(&server)
        .arg("-v")
        .run()
        .success()
        .stderr_has("build environment build-helper==2.0, helper-dep==1.5")
        .stderr_has("verse-test-backend: building needs-helper 1.0")
        .added_exactly(&["needs-helper==1.0"]);
    assert_eq!(value_of(&context, "needs_helper"), "helped");
    assert_eq!(context.installed(), vec!["needs-helper==1.0"]);
}

#[test]
fn a_failing_build_names_the_package_shows_its_output_and_installs_nothing() {
    let context = TestContext::new();
    let good = WheelBuilder::new("alpha", "1.0")
        .package("alpha")
        .build(&context.wheels_dir());
    let tree = SourceTree::new("broken", "1.0");
    let scratch = context.root().join("src");
    tree.write(&scratch, "x", true);
    std::fs::write(scratch.join("FAIL_BUILD"), "").expect("marking the tree");
    let sdist = tree.sdist(&scratch, &context.wheels_dir(), "x");
    context
        .project()
        .pyproject(pyproject_with(&["alpha", "broken"]))
        .lock(
            Lockfile::new(LockFormat::V2_1)
                .package(Locked::of(&good))
                .package(Locked::of(&sdist)),
        )
        .write();
    let server = IndexServer::with_files([&good, &sdist]);

    context
        .install(&server)
        .run()
        .failure()
        .error_has("cannot build broken==1.0")
        .stderr_has("deliberate failure: FAIL_BUILD exists in the source tree")
        .stderr_has("hint: ");
    // The build runs before the venv is touched.
    assert!(!context.venv().exists());
}

#[test]
fn editable_directory_dependency_reflects_edits_without_reinstalling() {
    let context = TestContext::new();
    let tree = SourceTree::new("local-lib", "0.3.0");
    let lib_dir = context.project_dir().join("libs/local-lib");
    tree.write(&lib_dir, "first", true);
    context
        .project()
        .pyproject(pyproject_with(&["local-lib"]))
        .lock(
            Lockfile::new(LockFormat::V2_1)
                .package(Locked::new("local-lib", "0.3.0").directory("libs/local-lib", true)),
        )
        .write();
    let server = IndexServer::with_files([]);

    context
        .install(&server)
        .run()
        .success()
        .stderr_has("Building local-lib==0.3.0 (editable)")
        .added_exactly(&["local-lib==0.3.0"]);
    assert_eq!(value_of(&context, "local_lib"), "first");
    tree.write(&lib_dir, "edited", false);
    assert_eq!(value_of(&context, "local_lib"), "edited");
    assert_eq!(
        direct_url(&context, "local-lib"),
        serde_json::json!({"url": file_url(&lib_dir), "dir_info": {"editable": true}})
    );

    // Same version from the same place: left alone, as Poetry does.
    context
        .install(&server)
        .run()
        .success()
        .stderr_lacks("Building")
        .stderr_has("Nothing to install");
}

#[test]
fn non_editable_directory_dependency_is_built_into_a_wheel() {
    let context = TestContext::new();
    let tree = SourceTree::new("local-lib", "0.3.0").package_dir("src/local_lib");
    let lib_dir = context.project_dir().join("libs/local-lib");
    tree.write(&lib_dir, "copied", true);
    context
        .project()
        .pyproject(pyproject_with(&["local-lib"]))
        .lock(
            Lockfile::new(LockFormat::V2_1)
                .package(Locked::new("local-lib", "0.3.0").directory("libs/local-lib", false)),
        )
        .write();
    let server = IndexServer::with_files([]);

    context.install(&server).run().success();

    assert!(context
        .site_packages()
        .join("local_lib/__init__.py")
        .is_file());
    std::fs::remove_dir_all(&lib_dir).expect("removing the source");
    assert_eq!(value_of(&context, "local_lib"), "copied");
    assert_eq!(
        direct_url(&context, "local-lib"),
        serde_json::json!({"url": file_url(&lib_dir), "dir_info": {}})
    );
}

#[test]
fn git_dependency_is_checked_out_at_the_locked_commit() {
    let context = TestContext::new();
    let tree = SourceTree::new("forked", "2.1.0");
    let repo = context.root().join("repos/forked");
    std::fs::create_dir_all(&repo).expect("creating the repo dir");
    let locked_commit = git_repo(&tree, &repo, Some("python"), "locked commit");
    // A later commit on the branch must not be what gets installed.
    tree.write(&repo.join("python"), "later commit", true);
    git(&repo, &["commit", "-q", "-am", "later"]);
    let url = file_url(&repo);
    context
        .project()
        .pyproject(pyproject_with(&["forked"]))
        .lock(
            Lockfile::new(LockFormat::V2_1).package(Locked::new("forked", "2.1.0").git(
                &url,
                "main",
                &locked_commit,
                Some("python"),
                false,
            )),
        )
        .write();
    let server = IndexServer::with_files([]);

    context
        .install(&server)
        .run()
        .success()
        .added_exactly(&["forked==2.1.0"]);
    assert_eq!(value_of(&context, "forked"), "locked commit");
    assert_eq!(
        direct_url(&context, "forked"),
        serde_json::json!({
            "url": url,
            "vcs_info": {"vcs": "git", "requested_revision": "main", "commit_id": locked_commit},
            "subdirectory": "python",
        })
    );
    // Poetry's exact bytes: json.dumps with its default separators, keys in its order.
    let text = read(&context.dist_info("forked").join("direct_url.json"));
    assert!(
        text.starts_with(&format!(
            "{{\"url\": \"{url}\", \"vcs_info\": {{\"vcs\": \"git\", "
        )),
        "{text}"
    );

    // The built wheel is cached by commit: a fresh venv needs no checkout or build.
    context
        .install(&server)
        .arg("--venv")
        .arg(context.root().join("second"))
        .run()
        .success()
        .stderr_lacks("Building")
        .stderr_lacks("Checking out");
}

#[test]
fn git_dependency_with_a_missing_commit_fails_clearly() {
    let context = TestContext::new();
    let tree = SourceTree::new("forked", "2.1.0");
    let repo = context.root().join("repos/forked");
    std::fs::create_dir_all(&repo).expect("creating the repo dir");
    git_repo(&tree, &repo, None, "x");
    let missing = "0123456789abcdef0123456789abcdef01234567";
    context
        .project()
        .pyproject(pyproject_with(&["forked"]))
        .lock(
            Lockfile::new(LockFormat::V2_1).package(Locked::new("forked", "2.1.0").git(
                &file_url(&repo),
                "main",
                missing,
                None,
                false,
            )),
        )
        .write();
    let server = IndexServer::with_files([]);

    context
        .install(&server)
        .run()
        .failure()
        .error_has("cannot check out forked==2.1.0")
        .stderr_has(missing)
        .stderr_has("poetry lock");
    assert!(!context.venv().exists());
}

#[test]
fn file_and_url_dependencies_are_verified_then_built_or_installed() {
    let context = TestContext::new();
    let local_tree = SourceTree::new("from-file", "1.0");
    let local = local_tree.sdist(
        &context.root().join("src-file"),
        &context.project_dir().join("dist"),
        "file sdist",
    );
    let remote_tree = SourceTree::new("from-url", "2.0");
    let remote = remote_tree.sdist(
        &context.root().join("src-url"),
        &context.wheels_dir(),
        "url sdist",
    );
    let remote_wheel = WheelBuilder::new("wheel-url", "3.0")
        .package("wheel_url")
        .build(&context.wheels_dir());
    let server = IndexServer::with_files([&remote, &remote_wheel]);
    let url_of = |file: &DistFile| format!("{}/files/{}", server.base_url(), file.filename);
    context
        .project()
        .pyproject(pyproject_with(&["from-file", "from-url", "wheel-url"]))
        .lock(
            Lockfile::new(LockFormat::V2_1)
                .package(Locked::new("from-file", "1.0").direct_file(
                    "file",
                    &format!("dist/{}", local.filename),
                    &local,
                ))
                .package(Locked::new("from-url", "2.0").direct_file(
                    "url",
                    &url_of(&remote),
                    &remote,
                ))
                .package(Locked::new("wheel-url", "3.0").direct_file(
                    "url",
                    &url_of(&remote_wheel),
                    &remote_wheel,
                )),
        )
        .write();

    context.install(&server).run().success().added_exactly(&[
        "from-file==1.0",
        "from-url==2.0",
        "wheel-url==3.0",
    ]);
    assert_eq!(value_of(&context, "from_file"), "file sdist");
    assert_eq!(value_of(&context, "from_url"), "url sdist");
    assert_eq!(
        direct_url(&context, "from-url"),
        serde_json::json!({"url": url_of(&remote), "archive_info": {"hashes": {"sha256": remote.sha256}}})
    );
    assert_eq!(
        direct_url(&context, "from-file"),
        serde_json::json!({
            "url": file_url(&context.project_dir().join("dist").join(&local.filename)),
            "archive_info": {"hashes": {"sha256": local.sha256}},
        })
    );
}

#[test]
fn a_file_dependency_that_does_not_match_its_hash_is_refused() {
    let context = TestContext::new();
    let tree = SourceTree::new("from-file", "1.0");
    let dist = context.project_dir().join("dist");
    let local = tree.sdist(&context.root().join("src"), &dist, "original");
    context
        .project()
        .pyproject(pyproject_with(&["from-file"]))
        .lock(
            Lockfile::new(LockFormat::V2_1).package(Locked::new("from-file", "1.0").direct_file(
                "file",
                &format!("dist/{}", local.filename),
                &local,
            )),
        )
        .write();
    std::fs::write(dist.join(&local.filename), b"tampered").expect("tampering");
    let server = IndexServer::with_files([]);

    context
        .install(&server)
        .run()
        .failure()
        .stderr_has("does not match the lock")
        .stderr_has(&local.filename);
    assert!(!context.venv().exists());
}

/// A package-mode project built by the in-tree backend: `demo-app`, import `demo_app`.
fn buildable_root(context: &TestContext) -> IndexServer {
    let alpha = WheelBuilder::new("alpha", "1.0")
        .package("alpha")
        .build(&context.wheels_dir());
    let tree = SourceTree::new("demo-app", "0.1.0").package_dir("src/demo_app");
    context
        .project()
        .pyproject(
            Pyproject::new(Style::Poetry)
                .root_package("demo_app")
                .dep(Dep::new("alpha", "*"))
                .build_system(&tree.build_system()),
        )
        .lock(Lockfile::new(LockFormat::V2_1).package(Locked::of(&alpha)))
        .write();
    tree.write(&context.project_dir(), "root", false);
    IndexServer::with_files([&alpha])
}

#[test]
fn no_editable_installs_the_project_as_a_wheel_that_needs_no_source() {
    let context = TestContext::new();
    let server = buildable_root(&context);

    // Dependencies first, then the project alone: the Docker pattern.
    context
        .install(&server)
        .arg("--only")
        .arg("main")
        .arg("--no-root")
        .run()
        .success()
        .added_exactly(&["alpha==1.0"]);
    context
        .install(&server)
        .arg("--only-root")
        .arg("--no-editable")
        .run()
        .success()
        .added_exactly(&["demo-app==0.1.0"]);

    assert!(context
        .site_packages()
        .join("demo_app/__init__.py")
        .is_file());
    context.verse().arg("check").run().success();
    std::fs::remove_dir_all(context.project_dir().join("src")).expect("removing the source");
    assert_eq!(value_of(&context, "demo_app"), "root");
    assert_eq!(context.installed(), vec!["alpha==1.0", "demo-app==0.1.0"]);
    assert_eq!(
        direct_url(&context, "demo-app"),
        serde_json::json!({"url": file_url(&context.project_dir()), "dir_info": {}})
    );
}

#[test]
fn only_root_installs_no_dependency() {
    let context = TestContext::new();
    let server = buildable_root(&context);

    context
        .install(&server)
        .arg("--only-root")
        .run()
        .success()
        .added_exactly(&["demo-app==0.1.0"]);
    assert_eq!(context.installed(), vec!["demo-app==0.1.0"]);
    assert!(server.downloads().is_empty());

    context
        .install(&server)
        .arg("--only-root")
        .arg("--no-root")
        .run()
        .user_error()
        .stderr_has("--no-root");
}

#[test]
fn an_sdist_with_build_requirements_builds_offline_from_a_local_folder() {
    let context = TestContext::new();
    let tree = SourceTree::new("needs-helper", "1.0").requires("build-helper", "build_helper");
    let folder = context.root().join("folder");
    let sdist = tree.sdist(&context.root().join("src"), &folder, "offline");
    WheelBuilder::new("build-helper", "2.0")
        .package("build_helper")
        .build(&folder);
    context
        .project()
        .pyproject(pyproject_with(&["needs-helper"]))
        .lock(Lockfile::new(LockFormat::V2_1).package(Locked::of(&sdist)))
        .write();

    context
        .verse()
        .arg("install")
        .arg("--offline")
        .arg("--find-links")
        .arg(&folder)
        .run()
        .success()
        .added_exactly(&["needs-helper==1.0"]);
    assert_eq!(value_of(&context, "needs_helper"), "offline");
}

#[test]
fn download_takes_the_sdist_and_its_build_requirements_for_an_offline_build() {
    let context = TestContext::new();
    let tree = SourceTree::new("needs-helper", "1.0").requires("build-helper>=1", "build_helper");
    let sdist = tree.sdist(
        &context.root().join("src"),
        &context.wheels_dir(),
        "carried",
    );
    let helper = WheelBuilder::new("build-helper", "2.0")
        .package("build_helper")
        .requires_dist("helper-dep")
        .build(&context.wheels_dir());
    let dep = WheelBuilder::new("helper-dep", "1.0")
        .package("helper_dep")
        .build(&context.wheels_dir());
    let remote_tree = SourceTree::new("from-url", "2.0");
    let remote = remote_tree.sdist(
        &context.root().join("src-url"),
        &context.wheels_dir(),
        "url",
    );
    let server = IndexServer::with_files([&sdist, &helper, &dep, &remote]);
    let remote_url = format!("{}/files/{}", server.base_url(), remote.filename);
    context
        .project()
        .pyproject(pyproject_with(&["needs-helper", "from-url"]))
        .lock(
            Lockfile::new(LockFormat::V2_1)
                .package(Locked::of(&sdist))
                .package(Locked::new("from-url", "2.0").direct_file("url", &remote_url, &remote)),
        )
        .write();
    let dest = context.root().join("wheelhouse");

    context
        .verse()
        .args(["download", "--index-url", &server.url(), "--dest"])
        .arg(&dest)
        .run()
        .success()
        .stderr_has("needs-helper==1.0 is built from source: 2 build requirements for its build");
    for file in [&sdist, &helper, &dep, &remote] {
        assert!(
            dest.join(&file.filename).is_file(),
            "{} missing",
            file.filename
        );
    }
    server.clear_log();

    context
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
        .run()
        .success()
        .added_exactly(&["from-url==2.0", "needs-helper==1.0"]);
    assert!(server.requests().is_empty(), "{:?}", server.requests());
    assert_eq!(value_of(&context, "needs_helper"), "carried");
}

#[test]
fn editable_git_dependency_is_checked_out_into_the_venv_like_poetry_does() {
    let context = TestContext::new();
    let tree = SourceTree::new("forked", "2.1.0");
    // Poetry names the checkout after the repository (`forked-repo.git` → `forked-repo`).
    let repo = context.root().join("repos/forked-repo.git");
    std::fs::create_dir_all(&repo).expect("creating the repo dir");
    let commit = git_repo(&tree, &repo, None, "editable checkout");
    context
        .project()
        .pyproject(pyproject_with(&["forked"]))
        .lock(
            Lockfile::new(LockFormat::V2_1).package(Locked::new("forked", "2.1.0").git(
                &file_url(&repo),
                "main",
                &commit,
                None,
                true,
            )),
        )
        .write();
    let server = IndexServer::with_files([]);

    context
        .install(&server)
        .run()
        .success()
        .stderr_has("Building forked==2.1.0 (editable)")
        .added_exactly(&["forked==2.1.0"]);
    let checkout = context.venv().join("src/forked-repo");
    assert_eq!(git(&checkout, &["rev-parse", "HEAD"]), commit);
    assert_eq!(value_of(&context, "forked"), "editable checkout");
    tree.write(&checkout, "edited in the venv", false);
    assert_eq!(value_of(&context, "forked"), "edited in the venv");
    assert_eq!(
        direct_url(&context, "forked"),
        serde_json::json!({"url": file_url(&checkout), "dir_info": {"editable": true}})
    );

    // At the locked commit already: left alone, the edit kept.
    context
        .install(&server)
        .run()
        .success()
        .stderr_has("Nothing to install");
    assert_eq!(value_of(&context, "forked"), "edited in the venv");
}

#[test]
fn several_builds_fail_together_and_each_is_named() {
    let context = TestContext::new();
    let mut lock = Lockfile::new(LockFormat::V2_1);
    for name in ["first-broken", "second-broken"] {
        let dir = context.project_dir().join("libs").join(name);
        SourceTree::new(name, "1.0").write(&dir, "x", true);
        std::fs::write(dir.join("FAIL_BUILD"), "").expect("marking the tree");
        lock = lock.package(Locked::new(name, "1.0").directory(&format!("libs/{name}"), false));
    }
    context
        .project()
        .pyproject(pyproject_with(&["first-broken", "second-broken"]))
        .lock(lock)
        .write();
    let server = IndexServer::with_files([]);

    context
        .install(&server)
        .run()
        .failure()
        .error_has("2 packages could not be built")
        .stderr_has("first-broken==1.0")
        .stderr_has("second-broken==1.0");
    assert!(!context.venv().exists());
}

#[test]
fn a_git_dependency_without_git_installed_says_what_to_install() {
    let context = TestContext::new();
    context
        .project()
        .pyproject(pyproject_with(&["forked"]))
        .lock(
            Lockfile::new(LockFormat::V2_1).package(Locked::new("forked", "2.1.0").git(
                "https://example.invalid/forked.git",
                "main",
                "0123456789abcdef0123456789abcdef01234567",
                None,
                false,
            )),
        )
        .write();
    let server = IndexServer::with_files([]);
    // A PATH with python3 and nothing else.
    let bin = context.root().join("bin-without-git");
    std::fs::create_dir_all(&bin).expect("creating bin");
    let python = std::process::Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .expect("python3");
    let python = String::from_utf8_lossy(&python.stdout).trim().to_string();
    std::os::unix::fs::symlink(&python, bin.join("python3")).expect("linking python3");

    context
        .install(&server)
        .env("PATH", &bin)
        .run()
        .failure()
        .error_has("cannot check out forked==2.1.0")
        .stderr_has("the `git` command is not installed")
        .stderr_has("hint: install git");
    assert!(!context.venv().exists());
}

#[test]
fn an_sdist_goes_into_pylock_toml_and_installs_from_it() {
    let context = TestContext::new();
    let tree = SourceTree::new("docopt-like", "0.6.2");
    let sdist = tree.sdist(
        &context.root().join("src"),
        &context.wheels_dir(),
        "via pylock",
    );
    context
        .project()
        .pyproject(pyproject_with(&["docopt-like"]))
        .lock(Lockfile::new(LockFormat::V2_1).package(Locked::of(&sdist)))
        .write();
    let server = IndexServer::with_files([&sdist]);
    let pylock = context.project_dir().join("pylock.toml");

    context
        .verse()
        .args([
            "export",
            "-f",
            "pylock.toml",
            "--index-url",
            &server.url(),
            "-o",
        ])
        .arg(&pylock)
        .run()
        .success();
    let text = read(&pylock);
    let document: toml::Table = toml::from_str(&text).expect("pylock.toml is TOML");
    let package = &document["packages"].as_array().expect("packages")[0];
    assert_eq!(
        package["sdist"]["name"].as_str(),
        Some(sdist.filename.as_str())
    );
    assert_eq!(
        package["sdist"]["hashes"]["sha256"].as_str(),
        Some(sdist.sha256.as_str())
    );

    context
        .install(&server)
        .arg("--lock")
        .arg(&pylock)
        .run()
        .success()
        .stderr_has("Building docopt-like==0.6.2")
        .added_exactly(&["docopt-like==0.6.2"]);
    assert_eq!(value_of(&context, "docopt_like"), "via pylock");
}

// Regressions found in review: git environment, atomic editable checkouts, download gaps,
// resolved paths, archives with several packages.

#[test]
fn download_with_no_cache_still_takes_build_requirements() {
    let context = TestContext::new();
    let tree = SourceTree::new("needs-helper", "1.0").requires("build-helper>=1", "build_helper");
    let sdist = tree.sdist(
        &context.root().join("src"),
        &context.wheels_dir(),
        "carried",
    );
    let helper = WheelBuilder::new("build-helper", "2.0")
        .package("build_helper")
        .build(&context.wheels_dir());
    let server = IndexServer::with_files([&sdist, &helper]);
    context
        .project()
        .pyproject(pyproject_with(&["needs-helper"]))
        .lock(Lockfile::new(LockFormat::V2_1).package(Locked::of(&sdist)))
        .write();
    let dest = context.root().join("wheelhouse");
    let out = context
        .verse()
        .args([
            "download",
            "--no-cache",
            "--index-url",
            &server.url(),
            "--dest",
        ])
        .arg(&dest)
        .run();
    out.success();
    assert!(
        dest.join(&helper.filename).is_file(),
        "build requirement not downloaded with --no-cache"
    );
}

#[test]
fn download_resumed_with_a_fresh_cache_still_takes_build_requirements() {
    let context = TestContext::new();
    let tree = SourceTree::new("needs-helper", "1.0").requires("build-helper>=1", "build_helper");
    let sdist = tree.sdist(
        &context.root().join("src"),
        &context.wheels_dir(),
        "carried",
    );
    let helper = WheelBuilder::new("build-helper", "2.0")
        .package("build_helper")
        .build(&context.wheels_dir());
    let server = IndexServer::with_files([&sdist, &helper]);
    context
        .project()
        .pyproject(pyproject_with(&["needs-helper"]))
        .lock(Lockfile::new(LockFormat::V2_1).package(Locked::of(&sdist)))
        .write();
    let dest = context.root().join("wheelhouse");
    std::fs::create_dir_all(&dest).unwrap();
    std::fs::copy(
        context.wheels_dir().join(&sdist.filename),
        dest.join(&sdist.filename),
    )
    .unwrap();
    let out = context
        .verse()
        .args(["download", "--index-url", &server.url(), "--dest"])
        .arg(&dest)
        .env("VERSE_CACHE_DIR", context.root().join("fresh-cache"))
        .run();
    out.success();
    assert!(
        dest.join(&helper.filename).is_file(),
        "build requirement not downloaded when sdist already in dest"
    );
}

#[test]
fn a_dotdot_path_dependency_is_recorded_resolved_like_poetry() {
    let context = TestContext::new();
    let tree = SourceTree::new("local-lib", "0.3.0");
    let lib_dir = context.root().join("libs/local-lib");
    tree.write(&lib_dir, "copied", true);
    context
        .project()
        .pyproject(pyproject_with(&["local-lib"]))
        .lock(
            Lockfile::new(LockFormat::V2_1)
                .package(Locked::new("local-lib", "0.3.0").directory("../libs/local-lib", true)),
        )
        .write();
    let server = IndexServer::with_files([]);
    context.install(&server).run().success();
    let text = read(&context.dist_info("local-lib").join("direct_url.json"));
    assert!(!text.contains(".."), "direct_url.json keeps `..`: {text}");
}

#[test]
fn a_failed_install_leaves_the_editable_git_checkout_alone() {
    let context = TestContext::new();
    let tree = SourceTree::new("forked", "2.1.0");
    let repo = context.root().join("repos/forked");
    std::fs::create_dir_all(&repo).unwrap();
    let first = git_repo(&tree, &repo, None, "first");
    tree.write(&repo, "second", true);
    git(&repo, &["commit", "-q", "-am", "second"]);
    let second = git(&repo, &["rev-parse", "HEAD"]).trim().to_string();
    let lock_with =
        |commit: &str, broken: bool| {
            let mut lock = Lockfile::new(LockFormat::V2_1).package(
                Locked::new("forked", "2.1.0").git(&file_url(&repo), "main", commit, None, true),
            );
            let mut names = vec!["forked"];
            if broken {
                lock = lock.package(Locked::new("broken", "1.0").directory("libs/broken", false));
                names.push("broken");
            }
            context
                .project()
                .pyproject(pyproject_with(&names))
                .lock(lock)
                .write();
        };
    let broken_dir = context.project_dir().join("libs/broken");
    lock_with(&first, false);
    let server = IndexServer::with_files([]);
    context.install(&server).run().success();
    let checkout = context.venv().join("src/forked");
    tree.write(&checkout, "my local edit", false);
    SourceTree::new("broken", "1.0").write(&broken_dir, "x", true);
    std::fs::write(broken_dir.join("FAIL_BUILD"), "").unwrap();
    lock_with(&second, true);
    let out = context.install(&server).run();
    out.failure();
    let head = git(&checkout, &["rev-parse", "HEAD"]).trim().to_string();
    assert_eq!(head, first, "the checkout moved to {second}");
    assert_eq!(
        value_of(&context, "forked"),
        "my local edit",
        "failed install changed the venv's editable checkout"
    );
}

#[test]
fn git_dir_set_by_a_hook_does_not_touch_the_users_repository() {
    let context = TestContext::new();
    let tree = SourceTree::new("forked", "2.1.0");
    let repo = context.root().join("repos/forked");
    std::fs::create_dir_all(&repo).unwrap();
    let commit = git_repo(&tree, &repo, None, "locked commit");
    // The user's own repository, as a git hook would see it.
    let user = context.root().join("user-repo");
    std::fs::create_dir_all(&user).unwrap();
    git(&user, &["init", "-q"]);
    std::fs::write(user.join("mine.txt"), "precious\n").unwrap();
    git(&user, &["add", "mine.txt"]);
    git(
        &user,
        &[
            "-c",
            "user.name=u",
            "-c",
            "user.email=u@x",
            "commit",
            "-q",
            "-m",
            "mine",
        ],
    );
    let user_head = git(&user, &["rev-parse", "HEAD"]).trim().to_string();
    context
        .project()
        .pyproject(pyproject_with(&["forked"]))
        .lock(
            Lockfile::new(LockFormat::V2_1).package(Locked::new("forked", "2.1.0").git(
                &file_url(&repo),
                "main",
                &commit,
                None,
                false,
            )),
        )
        .write();
    let server = IndexServer::with_files([]);
    let out = context
        .install(&server)
        .env("GIT_DIR", user.join(".git"))
        .env("GIT_WORK_TREE", &user)
        .run();
    let after = git(&user, &["rev-parse", "HEAD"]).trim().to_string();
    let files: Vec<_> = std::fs::read_dir(&user)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    eprintln!("user HEAD before {user_head} after {after}; files {files:?}");
    assert_eq!(after, user_head, "verse moved the user's repository HEAD");
    out.success();
}

#[test]
fn download_no_editable_then_offline_no_editable_root() {
    let context = TestContext::new();
    let alpha = WheelBuilder::new("alpha", "1.0")
        .package("alpha")
        .build(&context.wheels_dir());
    let helper = WheelBuilder::new("build-helper", "2.0")
        .package("build_helper")
        .build(&context.wheels_dir());
    let tree = SourceTree::new("demo-app", "0.1.0")
        .package_dir("src/demo_app")
        .requires("build-helper>=1", "build_helper");
    context
        .project()
        .pyproject(
            Pyproject::new(Style::Poetry)
                .root_package("demo_app")
                .dep(Dep::new("alpha", "*"))
                .build_system(&tree.build_system()),
        )
        .lock(Lockfile::new(LockFormat::V2_1).package(Locked::of(&alpha)))
        .write();
    tree.write(&context.project_dir(), "root", false);
    let server = IndexServer::with_files([&alpha, &helper]);
    let dest = context.root().join("wheelhouse");
    let out = context
        .verse()
        .args([
            "download",
            "--no-editable",
            "--index-url",
            &server.url(),
            "--dest",
        ])
        .arg(&dest)
        .run();
    out.success();
    let out = context
        .verse()
        .args([
            "install",
            "--offline",
            "--no-editable",
            "--index-url",
            &server.url(),
            "--find-links",
        ])
        .arg(&dest)
        .env("VERSE_CACHE_DIR", context.root().join("fresh-cache"))
        .run();
    out.success();
}

#[test]
fn one_url_archive_with_two_subdirectories_builds_both_from_cache() {
    use sha2::Digest;
    let context = TestContext::new();
    let mono = context.root().join("mono-src/mono-1");
    SourceTree::new("pkg-a", "1.0").write(&mono.join("a"), "A", true);
    SourceTree::new("pkg-b", "1.0").write(&mono.join("b"), "B", true);
    let archive = context.wheels_dir().join("mono-1.tar.gz");
    std::fs::create_dir_all(context.wheels_dir()).unwrap();
    let status = std::process::Command::new("tar")
        .arg("czf")
        .arg(&archive)
        .arg("-C")
        .arg(context.root().join("mono-src"))
        .arg("mono-1")
        .status()
        .unwrap();
    assert!(status.success());
    let bytes = std::fs::read(&archive).unwrap();
    let sha = format!("{:x}", sha2::Sha256::digest(&bytes));
    let dist = |name: &str| DistFile {
        name: name.into(),
        version: "1.0".into(),
        filename: "mono-1.tar.gz".into(),
        path: archive.clone(),
        sha256: sha.clone(),
        size: bytes.len() as u64,
    };
    let server = IndexServer::with_files([&dist("mono")]);
    let url = format!("{}/files/mono-1.tar.gz", server.base_url());
    let mut a = Locked::new("pkg-a", "1.0").direct_file("url", &url, &dist("pkg-a"));
    a.source_extra.push(("subdirectory".into(), "\"a\"".into()));
    let mut b = Locked::new("pkg-b", "1.0").direct_file("url", &url, &dist("pkg-b"));
    b.source_extra.push(("subdirectory".into(), "\"b\"".into()));
    context
        .project()
        .pyproject(pyproject_with(&["pkg-a", "pkg-b"]))
        .lock(Lockfile::new(LockFormat::V2_1).package(a).package(b))
        .write();
    let out = context.install(&server).run();
    out.success();
    let out = context
        .install(&server)
        .arg("--venv")
        .arg(context.root().join("second"))
        .run();
    out.success();
}

#[test]
fn a_path_dependency_whose_version_moved_is_installed_with_a_warning() {
    let context = TestContext::new();
    let lib_dir = context.project_dir().join("libs/local-lib");
    SourceTree::new("local-lib", "0.4.0").write(&lib_dir, "bumped", true);
    context
        .project()
        .pyproject(pyproject_with(&["local-lib"]))
        .lock(
            Lockfile::new(LockFormat::V2_1)
                .package(Locked::new("local-lib", "0.3.0").directory("libs/local-lib", false)),
        )
        .write();
    let server = IndexServer::with_files([]);

    context
        .install(&server)
        .run()
        .success()
        .stderr_has("the directory now builds version 0.4.0");
    assert_eq!(value_of(&context, "local_lib"), "bumped");
    assert_eq!(context.installed(), vec!["local-lib==0.4.0"]);
}

#[test]
fn build_requirements_respect_the_requires_python_the_index_states() {
    let context = TestContext::new();
    let tree = SourceTree::new("needs-helper", "1.0").requires("build-helper", "build_helper");
    let sdist = tree.sdist(&context.root().join("src"), &context.wheels_dir(), "fits");
    let fits = WheelBuilder::new("build-helper", "2.0")
        .package("build_helper")
        .build(&context.wheels_dir());
    let too_new = WheelBuilder::new("build-helper", "3.0")
        .package("build_helper")
        .requires_dist("does-not-exist")
        .build(&context.wheels_dir());
    context
        .project()
        .pyproject(pyproject_with(&["needs-helper"]))
        .lock(Lockfile::new(LockFormat::V2_1).package(Locked::of(&sdist)))
        .write();
    let server = IndexServer::with_files([&sdist, &fits, &too_new]);
    server.requires_python(&too_new.filename, ">=4");

    context
        .install(&server)
        .arg("-v")
        .run()
        .success()
        .stderr_has("build environment build-helper==2.0");
    assert_eq!(value_of(&context, "needs_helper"), "fits");
}
