//! `verse check`: a venv compared with the lock — clean after an install; missing, extra and
//! wrong-version packages and changed files reported (text and `--json`), exit 1 when not clean.

use crate::install::{project_with, wheel};
use crate::support::*;

fn installed_project(context: &TestContext) -> (Project, IndexServer) {
    let alpha = wheel(context, "alpha", "1.0.0");
    let beta = wheel(context, "beta", "2.0.0");
    let (project, server) = project_with(context, &[&alpha, &beta]);
    context.install(&server).run().success();
    (project, server)
}

#[test]
fn a_fresh_install_checks_clean() {
    let context = TestContext::new();
    installed_project(&context);

    let output = context.verse().arg("check").run();

    output
        .success()
        .stdout_has("OK, the venv matches the lock: 2 packages and");
}

#[test]
fn changed_and_deleted_files_are_reported() {
    let context = TestContext::new();
    installed_project(&context);
    let site = context.site_packages();
    std::fs::write(site.join("alpha/__init__.py"), "tampered = True\n").unwrap();
    std::fs::remove_file(site.join("beta/__init__.py")).unwrap();

    let output = context.verse().arg("check").run();

    output
        .exit_code(1)
        .stdout_has("changed        alpha==1.0.0: alpha/__init__.py (modified)")
        .stdout_has("changed        beta==2.0.0: beta/__init__.py (missing)")
        .stdout_has("2 problems:");
}

#[test]
fn missing_extra_and_wrong_version_packages_are_reported_as_json() {
    let context = TestContext::new();
    let (project, server) = installed_project(&context);
    // The lock now wants gamma too and beta 3.0.0; alpha is no longer locked.
    let gamma = wheel(&context, "gamma", "1.0.0");
    let beta3 = wheel(&context, "beta", "3.0.0");
    server.add(&gamma);
    server.add(&beta3);
    project
        .clone()
        .pyproject(
            Pyproject::new(Style::Poetry)
                .dep(Dep::new("beta", "*"))
                .dep(Dep::new("gamma", "*")),
        )
        .lock(
            Lockfile::new(LockFormat::V2_1)
                .package(Locked::of(&beta3))
                .package(Locked::of(&gamma)),
        )
        .write();

    let output = context.verse().args(["check", "--json"]).run();

    output.exit_code(1);
    let report: serde_json::Value = serde_json::from_str(&output.stdout).expect("JSON on stdout");
    assert_eq!(report["schema"], "verse.check/1");
    assert_eq!(report["clean"], false);
    assert_eq!(
        report["missing"],
        serde_json::json!([{"name": "gamma", "version": "1.0.0"}])
    );
    assert_eq!(
        report["extra"],
        serde_json::json!([{"name": "alpha", "version": "1.0.0"}])
    );
    assert_eq!(
        report["wrong_version"],
        serde_json::json!([{"name": "beta", "installed": "2.0.0", "locked": "3.0.0"}])
    );
    assert_eq!(report["changed"], serde_json::json!([]));
}

#[test]
fn no_venv_is_an_input_error() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    project_with(&context, &[&alpha]);

    context
        .verse()
        .arg("check")
        .run()
        .user_error()
        .error_has("there is no virtualenv")
        .stderr_has("hint:");
}
