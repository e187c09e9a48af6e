//! Private indexes with credentials, Poetry's way: `POETRY_HTTP_BASIC_<SOURCE>_USERNAME` /
//! `_PASSWORD`, credentials in the URL, `~/.netrc` (and `$NETRC`). Right, wrong and missing
//! credentials; the password never appears in output (even with `-v`) or in the cache; it is
//! never sent to another host, whether a page links there or a file redirects there.

use super::*;

const USER: &str = "ci-bot";
const PASSWORD: &str = "s3cr3t-Pa55word";

/// A project whose only package comes from the basic-auth source `internal`.
fn private_project(context: &TestContext) -> (DistFile, IndexServer) {
    let secret = wheel(context, "secret", "3.0.0");
    let private = IndexServer::with_files([&secret]);
    private.basic_auth(USER, PASSWORD);
    context
        .project()
        .pyproject(
            Pyproject::new(Style::Poetry)
                .dep(Dep::new("secret", "*").source("internal"))
                .source("internal", &private.url(), "explicit"),
        )
        .lock(
            Lockfile::new(LockFormat::V2_1)
                .package(Locked::of(&secret).legacy_source("internal", &private.url())),
        )
        .write();
    (secret, private)
}

fn assert_no_secret(context: &TestContext, output: &Output) {
    assert!(
        !output.stderr.contains(PASSWORD) && !output.stdout.contains(PASSWORD),
        "the password was printed:\n{}{}",
        output.stdout,
        output.stderr
    );
    let cache = all_text_under(&context.cache_dir());
    assert!(!cache.contains(PASSWORD), "the password is in the cache");
}

#[test]
fn poetry_variables_authenticate_page_and_file() {
    let context = TestContext::new();
    let (secret, private) = private_project(&context);

    let output = context
        .verse()
        .args(["install", "-vv"])
        .env("POETRY_HTTP_BASIC_INTERNAL_USERNAME", USER)
        .env("POETRY_HTTP_BASIC_INTERNAL_PASSWORD", PASSWORD)
        .run();

    output.success().added_exactly(&["secret==3.0.0"]);
    assert_eq!(private.downloads(), vec![secret.filename.clone()]);
    assert!(private.requests().iter().all(|r| r
        .header("authorization")
        .is_some_and(|a| a.starts_with("Basic "))));
    assert_no_secret(&context, &output);
}

#[test]
fn wrong_credentials_name_the_source_and_the_variable() {
    let context = TestContext::new();
    let (_, private) = private_project(&context);

    let output = context
        .verse()
        .args(["install", "-v"])
        .env("POETRY_HTTP_BASIC_INTERNAL_USERNAME", USER)
        .env("POETRY_HTTP_BASIC_INTERNAL_PASSWORD", "not-the-password-42")
        .run();

    output
        .failure()
        .error_has("internal")
        .error_has("401")
        .error_has("POETRY_HTTP_BASIC_INTERNAL")
        .error_has("were refused")
        .stderr_lacks("not-the-password-42")
        .stderr_lacks("404");
    assert!(private.downloads().is_empty());
    assert_no_secret(&context, &output);
}

#[test]
fn missing_credentials_say_which_variables_to_set() {
    let context = TestContext::new();
    let (_, _private) = private_project(&context);

    context
        .verse()
        .arg("install")
        .run()
        .failure()
        .error_has("refused access")
        .error_has(
            "set POETRY_HTTP_BASIC_INTERNAL_USERNAME and POETRY_HTTP_BASIC_INTERNAL_PASSWORD",
        );
}

#[test]
fn credentials_in_the_url_work_and_are_never_shown() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    locked_project(&context, &[&alpha]);
    let server = IndexServer::with_files([&alpha]);
    server.basic_auth(USER, PASSWORD);

    let output = context
        .verse()
        .args([
            "install",
            "-vv",
            "--index-url",
            &server.url_with_credentials(USER, PASSWORD),
        ])
        .run();
    output.success().installed_count(1);
    assert_no_secret(&context, &output);

    // Wrong ones: refused, and the error shows the URL without them.
    std::fs::remove_dir_all(context.venv()).unwrap();
    let output = context
        .verse()
        .args([
            "install",
            "--no-cache",
            "--index-url",
            &server.url_with_credentials(USER, "wrong-pw-77"),
        ])
        .run();
    output
        .failure()
        .error_has("refused")
        // (the kit prints the port as [PORT])
        .error_has("refused access to http://127.0.0.1:[PORT]/simple/alpha/")
        .stderr_lacks("wrong-pw-77");
}

#[test]
fn netrc_credentials_are_used_from_home_and_from_the_netrc_variable() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    locked_project(&context, &[&alpha]);
    let server = IndexServer::with_files([&alpha]);
    server.basic_auth(USER, PASSWORD);
    let netrc = format!("machine 127.0.0.1\n  login {USER}\n  password {PASSWORD}\n");

    std::fs::write(context.root().join("home/.netrc"), &netrc).unwrap();
    let output = context.install(&server).arg("-vv").run();
    output.success().installed_count(1);
    assert_no_secret(&context, &output);

    std::fs::remove_file(context.root().join("home/.netrc")).unwrap();
    std::fs::remove_dir_all(context.venv()).unwrap();
    let elsewhere = context.root().join("ci-netrc");
    std::fs::write(&elsewhere, &netrc).unwrap();
    context
        .install(&server)
        .arg("--no-cache")
        .env("NETRC", &elsewhere)
        .run()
        .success()
        .installed_count(1);
}

#[test]
fn credentials_never_follow_a_link_or_a_redirect_to_another_host() {
    let context = TestContext::new();
    let linked = wheel(&context, "linked", "1.0.0");
    let redirected = wheel(&context, "redirected", "1.0.0");
    let files: Vec<(String, Vec<u8>)> = [&linked, &redirected]
        .iter()
        .map(|w| (w.filename.clone(), w.bytes()))
        .collect();

    // The file host: another loopback address, so another host for any HTTP client.
    let file_host = MiniServer::start("127.0.0.2", move |target| {
        match files
            .iter()
            .find(|(name, _)| target == format!("/files/{name}"))
        {
            Some((_, bytes)) => (200, Vec::new(), bytes.clone()),
            None => (404, Vec::new(), Vec::new()),
        }
    });
    let other = file_host.base_url();
    let (linked_file, redirected_file) = (linked.filename.clone(), redirected.filename.clone());
    let index = MiniServer::start("127.0.0.1", move |target| match target {
        "/simple/linked/" => (
            200,
            vec![("Content-Type".into(), "text/html".into())],
            html_page(&[(&linked_file, &format!("{other}/files/{linked_file}"))]),
        ),
        "/simple/redirected/" => (
            200,
            vec![("Content-Type".into(), "text/html".into())],
            html_page(&[(&redirected_file, &format!("../../files/{redirected_file}"))]),
        ),
        t if t == format!("/files/{redirected_file}") => (
            302,
            vec![(
                "Location".into(),
                format!("{other}/files/{redirected_file}"),
            )],
            Vec::new(),
        ),
        _ => (404, Vec::new(), Vec::new()),
    });
    let index_url = format!("{}/simple", index.base_url());
    context
        .project()
        .pyproject(
            Pyproject::new(Style::Poetry)
                .dep(Dep::new("linked", "*").source("internal"))
                .dep(Dep::new("redirected", "*").source("internal"))
                .source("internal", &index_url, "explicit"),
        )
        .lock(
            Lockfile::new(LockFormat::V2_1)
                .package(Locked::of(&linked).legacy_source("internal", &index_url))
                .package(Locked::of(&redirected).legacy_source("internal", &index_url)),
        )
        .write();

    let output = context
        .verse()
        .arg("install")
        .env("POETRY_HTTP_BASIC_INTERNAL_USERNAME", USER)
        .env("POETRY_HTTP_BASIC_INTERNAL_PASSWORD", PASSWORD)
        .run();

    output.success().installed_count(2);
    let index_requests = index.requests();
    assert_eq!(index_requests.len(), 3, "{index_requests:?}");
    assert!(
        index_requests
            .iter()
            .all(|r| r.header("authorization").is_some()),
        "the index itself must get the credentials: {index_requests:?}"
    );
    let file_requests = file_host.requests();
    assert_eq!(file_requests.len(), 2, "{file_requests:?}");
    assert!(
        file_requests
            .iter()
            .all(|r| r.header("authorization").is_none()),
        "credentials reached another host: {file_requests:?}"
    );
}

#[test]
fn download_from_a_private_source_uses_its_credentials_and_never_writes_them() {
    let context = TestContext::new();
    let (secret, private) = private_project(&context);
    let dest = context.root().join("wheelhouse");

    let output = context
        .verse()
        .args(["download", "-v", "--dest"])
        .arg(&dest)
        .env("POETRY_HTTP_BASIC_INTERNAL_USERNAME", USER)
        .env("POETRY_HTTP_BASIC_INTERNAL_PASSWORD", PASSWORD)
        .run();

    output.success().stderr_has("Downloaded 1 file");
    assert_eq!(private.downloads(), vec![secret.filename.clone()]);
    assert_no_secret(&context, &output);
    let folder = all_text_under(&dest);
    assert!(folder.contains(&secret.filename));
    assert!(
        !folder.contains(PASSWORD) && !folder.contains(USER),
        "{folder}"
    );
}
