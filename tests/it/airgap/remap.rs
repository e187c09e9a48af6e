//! Pointing a locked project at other indexes without editing pyproject.toml:
//! `--source-url NAME=URL`, `--extra-index-url`, the `supplemental` fallback, and proxies from
//! the environment; plus per-source TLS settings that cannot be read.

use super::*;

#[test]
fn source_url_remaps_a_named_source() {
    let context = TestContext::new();
    let secret = wheel(&context, "secret", "3.0.0");
    let mirror = IndexServer::with_files([&secret]);
    let original = IndexServer::with_files([&secret]);
    context
        .project()
        .pyproject(
            Pyproject::new(Style::Poetry)
                .dep(Dep::new("secret", "*").source("private"))
                .source("private", &original.url(), "explicit"),
        )
        .lock(
            Lockfile::new(LockFormat::V2_1)
                .package(Locked::of(&secret).legacy_source("private", &original.url())),
        )
        .write();

    context
        .verse()
        .args([
            "install",
            "--source-url",
            &format!("private={}", mirror.url()),
        ])
        .run()
        .success()
        .added_exactly(&["secret==3.0.0"]);

    assert!(original.requests().is_empty());
    assert_eq!(mirror.downloads(), vec![secret.filename.clone()]);
}

#[test]
fn source_url_for_an_unknown_name_is_an_input_error() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    locked_project(&context, &[&alpha]);
    let server = IndexServer::with_files([&alpha]);

    context
        .install(&server)
        .env("VERSE_SOURCE_URL", "privat=http://127.0.0.1:9/simple")
        .run()
        .user_error()
        .error_has("privat");
}

#[test]
fn extra_index_url_is_searched_after_the_main_one() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let beta = wheel(&context, "beta", "2.0.0");
    locked_project(&context, &[&alpha, &beta]);
    let main = IndexServer::with_files([&alpha]);
    let extra = IndexServer::with_files([&beta]);

    context
        .install(&main)
        .args(["--extra-index-url", &extra.url()])
        .run()
        .success()
        .installed_count(2);

    assert_eq!(main.downloads(), vec![alpha.filename.clone()]);
    assert_eq!(extra.downloads(), vec![beta.filename.clone()]);
    // alpha was found on the main index, so the extra one was never asked for it.
    assert!(extra.project_pages().iter().all(|p| !p.contains("alpha")));
}

#[test]
fn supplemental_source_serves_what_pypi_lacks_and_explicit_ones_are_not_searched() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let beta = wheel(&context, "beta", "2.0.0");
    let pypi = IndexServer::with_files([&alpha]);
    let supplemental = IndexServer::with_files([&beta]);
    let explicit = IndexServer::with_files([&alpha, &beta]);
    context
        .project()
        .pyproject(
            Pyproject::new(Style::Poetry)
                .dep(Dep::new("alpha", "*"))
                .dep(Dep::new("beta", "*"))
                .source("extras", &supplemental.url(), "supplemental")
                .source("vault", &explicit.url(), "explicit"),
        )
        .lock(
            Lockfile::new(LockFormat::V2_1)
                .package(Locked::of(&alpha))
                .package(Locked::of(&beta)),
        )
        .write();

    context.install(&pypi).run().success().installed_count(2);

    assert_eq!(pypi.downloads(), vec![alpha.filename.clone()]);
    assert_eq!(supplemental.downloads(), vec![beta.filename.clone()]);
    assert!(explicit.requests().is_empty());
}

#[test]
fn http_proxy_from_the_environment_is_used() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    locked_project(&context, &[&alpha]);
    let bytes = alpha.bytes();
    let filename = alpha.filename.clone();
    // The proxy answers for the origin itself; the origin does not exist.
    let proxy = MiniServer::start("127.0.0.1", move |target| {
        if target.ends_with("/simple/alpha/") {
            (
                200,
                vec![("Content-Type".into(), "text/html".into())],
                html_page(&[(&filename, &format!("../../files/{filename}"))]),
            )
        } else if target.ends_with(&format!("/files/{filename}")) {
            (200, Vec::new(), bytes.clone())
        } else {
            (404, Vec::new(), Vec::new())
        }
    });

    context
        .verse()
        .args([
            "install",
            "--index-url",
            "http://pypi-mirror.invalid/simple",
        ])
        .env("HTTP_PROXY", proxy.base_url())
        .env("http_proxy", proxy.base_url())
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .run()
        .success()
        .installed_count(1);

    let targets: Vec<String> = proxy.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(
        targets,
        vec![
            "http://pypi-mirror.invalid/simple/alpha/".to_string(),
            format!("http://pypi-mirror.invalid/files/{}", alpha.filename)
        ]
    );
}

#[test]
fn unreadable_source_certificate_is_named() {
    let context = TestContext::new();
    let secret = wheel(&context, "secret", "3.0.0");
    let private = IndexServer::with_files([&secret]);
    context
        .project()
        .pyproject(
            Pyproject::new(Style::Poetry)
                .dep(Dep::new("secret", "*").source("corp"))
                .source("corp", &private.url(), "explicit"),
        )
        .lock(
            Lockfile::new(LockFormat::V2_1)
                .package(Locked::of(&secret).legacy_source("corp", &private.url())),
        )
        .write();
    let missing = context.root().join("no-such-ca.pem");

    context
        .verse()
        .arg("install")
        .env("POETRY_CERTIFICATES_CORP_CERT", &missing)
        .run()
        .fails()
        .error_has("corp")
        .error_has("no-such-ca.pem");
    let garbage = context.root().join("garbage.pem");
    std::fs::write(&garbage, "not a certificate").unwrap();
    context
        .verse()
        .arg("install")
        .env("POETRY_CERTIFICATES_CORP_CLIENT_CERT", &garbage)
        .run()
        .fails()
        .error_has("garbage.pem");
    assert!(private.requests().is_empty());
}
