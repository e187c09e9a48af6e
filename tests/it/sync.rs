//! `verse sync` / `install --sync` removes what the selection does not include; and two verse
//! processes on one venv take turns (the venv lock).

use std::time::{Duration, Instant};

use crate::install::{project_with, wheel};
use crate::support::*;

#[test]
fn sync_removes_packages_outside_the_selection_and_keeps_pip() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let beta = wheel(&context, "beta", "1.0.0");
    let (project, server) = project_with(&context, &[&alpha, &beta]);
    context.install(&server).run().success();
    let pip = WheelBuilder::new("pip", "99.0")
        .package("pip")
        .build(&context.wheels_dir());
    server.add(&pip);
    // pip in the venv, as `python -m venv` would put it: installed by a plain install of a lock
    // that has it, then dropped from the lock.
    project
        .clone()
        .pyproject(
            Pyproject::new(Style::Poetry)
                .dep(Dep::new("alpha", "*"))
                .dep(Dep::new("pip", "*")),
        )
        .lock(
            Lockfile::new(LockFormat::V2_1)
                .package(Locked::of(&alpha))
                .package(Locked::of(&pip)),
        )
        .write();
    context.install(&server).run().success();
    assert_eq!(
        context.installed(),
        vec!["alpha==1.0.0", "beta==1.0.0", "pip==99.0"]
    );
    project
        .clone()
        .pyproject(Pyproject::new(Style::Poetry).dep(Dep::new("alpha", "*")))
        .lock(Lockfile::new(LockFormat::V2_1).package(Locked::of(&alpha)))
        .write();

    let output = context
        .verse()
        .args(["sync", "--index-url"])
        .arg(server.url())
        .run();

    output
        .success()
        .stderr_has("Removed 1 package in")
        .stderr_has(" - beta==1.0.0");
    assert_eq!(context.installed(), vec!["alpha==1.0.0", "pip==99.0"]);
    assert!(!context.site_packages().join("beta").exists());
}

#[test]
fn install_without_sync_leaves_extra_packages_alone() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let beta = wheel(&context, "beta", "1.0.0");
    let (project, server) = project_with(&context, &[&alpha, &beta]);
    context.install(&server).run().success();
    project
        .clone()
        .pyproject(Pyproject::new(Style::Poetry).dep(Dep::new("alpha", "*")))
        .lock(Lockfile::new(LockFormat::V2_1).package(Locked::of(&alpha)))
        .write();

    context.install(&server).run().success();

    assert_eq!(context.installed(), vec!["alpha==1.0.0", "beta==1.0.0"]);
}

#[test]
fn a_second_process_waits_for_the_venv_lock() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let (_, server) = project_with(&context, &[&alpha]);
    // Hold the lock verse takes for this venv (named by the venv's absolute path).
    let venv = context.venv();
    let digest = sha256_hex(venv.as_os_str().as_encoded_bytes());
    let lock_dir = context.cache_dir().join("locks");
    std::fs::create_dir_all(&lock_dir).unwrap();
    let held =
        std::fs::File::create(lock_dir.join(format!("venv-{}.lock", &digest[..24]))).unwrap();
    held.lock().unwrap();

    let started = Instant::now();
    let output = std::thread::scope(|scope| {
        let child = scope.spawn(|| context.install(&server).run());
        std::thread::sleep(Duration::from_millis(1500));
        assert!(
            !venv.join("pyvenv.cfg").exists(),
            "verse must not touch the venv while another process holds its lock"
        );
        held.unlock().unwrap();
        child.join().unwrap()
    });

    output
        .success()
        .stderr_has("Waiting for another verse process working on");
    assert!(started.elapsed() >= Duration::from_millis(1500));
    assert_eq!(context.installed(), vec!["alpha==1.0.0"]);
}
