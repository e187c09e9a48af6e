//! `--json` on install, `--dry-run`, sync and download: one JSON document on stdout in the
//! documented schema (README "JSON output"), human logs still on stderr.

use serde_json::Value;

use crate::install::wheel;
use crate::support::*;

fn json(output: &Output) -> Value {
    serde_json::from_str(&output.stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}):\n{}", output.stdout))
}

/// (name, action) of every package entry.
fn actions(document: &Value) -> Vec<(String, String)> {
    document["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["action"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn project(context: &TestContext) -> (IndexServer, DistFile, DistFile) {
    let alpha = wheel(context, "alpha", "1.0.0");
    let beta = wheel(context, "beta", "2.0.0");
    let winonly = wheel(context, "winonly", "1.0.0");
    context
        .project()
        .pyproject(
            Pyproject::new(Style::Poetry)
                .dep(Dep::new("alpha", "*"))
                .dep(Dep::new("beta", "*"))
                .dep(Dep::new("winonly", "*").markers("sys_platform == 'win32'")),
        )
        .lock(
            Lockfile::new(LockFormat::V2_1)
                .package(Locked::of(&alpha))
                .package(Locked::of(&beta))
                .package(Locked::of(&winonly).markers("sys_platform == \"win32\"")),
        )
        .write();
    let server = IndexServer::with_files([&alpha, &beta, &winonly]);
    (server, alpha, beta)
}

#[test]
fn install_json_lists_every_package_with_its_action_file_and_hash() {
    let context = TestContext::new();
    let (server, alpha, _) = project(&context);

    let output = context.install(&server).arg("--json").run();

    output.success().stderr_has("Installed 2 packages");
    let document = json(&output);
    assert_eq!(document["schema"], "verse.install/1");
    assert_eq!(document["dry_run"], false);
    assert_eq!(
        actions(&document),
        [
            ("alpha".to_string(), "installed".to_string()),
            ("beta".to_string(), "installed".to_string()),
            ("winonly".to_string(), "skipped".to_string()),
        ]
    );
    let first = &document["packages"][0];
    assert_eq!(first["version"], "1.0.0");
    assert_eq!(first["file"], alpha.filename.as_str());
    assert_eq!(first["sha256"], alpha.sha256.as_str());
    assert_eq!(first["source"], context.filter(&server.url()).as_str());
    assert_eq!(first["requested"], true);
    let skipped = &document["packages"][2];
    assert!(
        skipped["reason"]
            .as_str()
            .unwrap()
            .contains("sys_platform == \"win32\"` is false for this interpreter"),
        "{skipped}"
    );
    assert!(document["timings"]["total_seconds"].as_f64().unwrap() > 0.0);
    assert!(document["python"]["version"]
        .as_str()
        .unwrap()
        .starts_with("3."));

    // Again: nothing to do, everything unchanged.
    let again = context.install(&server).arg("--json").run();
    again.success();
    assert_eq!(
        actions(&json(&again)),
        [
            ("alpha".to_string(), "unchanged".to_string()),
            ("beta".to_string(), "unchanged".to_string()),
            ("winonly".to_string(), "skipped".to_string()),
        ]
    );
}

#[test]
fn dry_run_json_says_what_would_happen_and_changes_nothing() {
    let context = TestContext::new();
    let (server, _, _) = project(&context);

    let output = context.install(&server).args(["--dry-run", "--json"]).run();

    output.success();
    let document = json(&output);
    assert_eq!(document["dry_run"], true);
    assert_eq!(
        actions(&document),
        [
            ("alpha".to_string(), "installed".to_string()),
            ("beta".to_string(), "installed".to_string()),
            ("winonly".to_string(), "skipped".to_string()),
        ]
    );
    assert!(!context.venv().exists(), "a dry run creates no venv");
}

#[test]
fn sync_json_reports_removed_and_replaced_packages() {
    let context = TestContext::new();
    let (server, _, _) = project(&context);
    context.install(&server).run().success();
    // The lock moves beta to 3.0.0 and drops alpha.
    let beta3 = wheel(&context, "beta", "3.0.0");
    server.add(&beta3);
    context
        .project()
        .pyproject(Pyproject::new(Style::Poetry).dep(Dep::new("beta", "*")))
        .lock(Lockfile::new(LockFormat::V2_1).package(Locked::of(&beta3)))
        .write();

    let output = context
        .verse()
        .args(["sync", "--json", "--index-url"])
        .arg(server.url())
        .run();

    output.success();
    let document = json(&output);
    assert_eq!(
        actions(&document),
        [
            ("alpha".to_string(), "removed".to_string()),
            ("beta".to_string(), "installed".to_string()),
        ]
    );
    assert_eq!(document["packages"][1]["replaced"], "2.0.0");
    assert_eq!(document["packages"][1]["version"], "3.0.0");
}

#[test]
fn download_json_lists_downloaded_then_present_files() {
    let context = TestContext::new();
    let (server, alpha, beta) = project(&context);
    let dest = context.root().join("wheelhouse");
    let run = || {
        context
            .verse()
            .args(["download", "--json", "--index-url"])
            .arg(server.url())
            .arg("--dest")
            .arg(&dest)
            .run()
    };

    let first = run();
    first.success().stderr_has("Downloaded 2 files");
    let document = json(&first);
    assert_eq!(document["schema"], "verse.download/1");
    let files: Vec<(String, String)> = document["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_string(),
                f["action"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        files,
        [
            (alpha.filename.clone(), "downloaded".to_string()),
            (beta.filename.clone(), "downloaded".to_string()),
        ]
    );
    assert_eq!(document["files"][0]["sha256"], alpha.sha256.as_str());
    assert_eq!(
        document["files"][0]["size"],
        std::fs::metadata(&alpha.path).unwrap().len()
    );

    let second = json(&run());
    assert!(second["files"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["action"] == "present"));
}
