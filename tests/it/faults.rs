//! Faults on the wire (issue 6): transient ones are retried with backoff and the install
//! succeeds; persistent ones end in one clear error per file after bounded retries; wrong
//! bytes never get installed or cached, whatever their length.

use std::time::Duration;

use crate::install::{project_with, wheel};
use crate::support::*;

fn times_requested(server: &IndexServer, file: &DistFile) -> usize {
    server
        .downloads()
        .iter()
        .filter(|f| **f == file.filename)
        .count()
}

#[test]
fn transient_faults_are_retried_and_the_install_succeeds() {
    let context = TestContext::new();
    let faults = [
        ("alpha", Fault::Status(500)),
        ("beta", Fault::Status(502)),
        ("gamma", Fault::RetryAfter(503, 1)),
        ("delta", Fault::RetryAfter(429, 1)),
        ("epsilon", Fault::Reset),
        ("zeta", Fault::Truncate(40)),
    ];
    let wheels: Vec<DistFile> = faults
        .iter()
        .map(|(name, _)| wheel(&context, name, "1.0.0"))
        .collect();
    let (_, server) = project_with(&context, &wheels.iter().collect::<Vec<_>>());
    for ((_, fault), wheel) in faults.into_iter().zip(&wheels) {
        server.fault(&format!("/files/{}", wheel.filename), fault, Some(1));
    }

    context.install(&server).run().success();

    for wheel in &wheels {
        assert_eq!(times_requested(&server, wheel), 2, "{}", wheel.filename);
    }
    assert_eq!(context.installed().len(), 6);
    context.verse().arg("check").run().success();
}

#[test]
fn a_stall_past_the_read_timeout_is_retried() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let (_, server) = project_with(&context, &[&alpha]);
    server.fault(
        &format!("/files/{}", alpha.filename),
        Fault::StallBody(Duration::from_secs(4)),
        Some(1),
    );

    context
        .install(&server)
        .env("VERSE_HTTP_TIMEOUT", "1")
        .run()
        .success();

    assert_eq!(times_requested(&server, &alpha), 2);
    assert_eq!(context.installed(), vec!["alpha==1.0.0"]);
}

#[test]
fn persistent_failures_end_in_one_error_per_file_after_bounded_retries() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let beta = wheel(&context, "beta", "1.0.0");
    let gamma = wheel(&context, "gamma", "1.0.0");
    let (_, server) = project_with(&context, &[&alpha, &beta, &gamma]);
    server.fault(
        &format!("/files/{}", alpha.filename),
        Fault::Status(503),
        None,
    );
    server.fault(&format!("/files/{}", beta.filename), Fault::Reset, None);

    let output = context
        .install(&server)
        .env("VERSE_HTTP_RETRIES", "2")
        .run();

    output
        .failure()
        .error_has("2 files could not be fetched")
        .error_has(&alpha.filename)
        .error_has(&beta.filename)
        .error_has("503");
    assert_eq!(times_requested(&server, &alpha), 3, "1 try + 2 retries");
    assert_eq!(times_requested(&server, &beta), 3, "1 try + 2 retries");
    assert!(
        !context.venv().exists(),
        "nothing is installed when a download fails"
    );
}

#[test]
fn wrong_bytes_of_the_right_length_are_never_installed_or_cached() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let (_, server) = project_with(&context, &[&alpha]);
    let mut evil = alpha.bytes();
    let last = evil.len() - 30;
    evil[last] ^= 0xff;
    server.fault(
        &format!("/files/{}", alpha.filename),
        Fault::Body(evil),
        None,
    );

    let output = context.install(&server).run();

    output
        .failure()
        .error_has(&alpha.filename)
        .error_has("does not match the lock");
    assert!(!context.venv().exists());
    let cached: Vec<_> = walk(&context.cache_dir())
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "whl"))
        .collect();
    assert!(
        cached.is_empty(),
        "unverified bytes were cached: {cached:?}"
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(walk(&path));
            } else {
                out.push(path);
            }
        }
    }
    out
}
