//! Interruption: `kill -9` at many points of real installs (fresh venv, upgrades, downgrades),
//! then the same command again must leave exactly the locked state: `verse check` clean, no
//! package half there. (Issue 6: "nothing lost under faults".)

use std::time::Duration;

use crate::support::*;

/// A wheel with enough files that killing verse lands in the middle of writing them.
fn big_wheel(context: &TestContext, name: &str, version: &str) -> DistFile {
    let mut builder = WheelBuilder::new(name, version).package(name);
    for i in 0..150 {
        builder = builder.file(
            &format!("{name}/m{i}.py"),
            &format!(
                "VERSION = {version:?}\nVALUE = {i}\n{}\n",
                "# padding\n".repeat(200)
            ),
        );
    }
    builder
        .console_script(&format!("{name}-cli"), &format!("{name}:main"))
        .build(&context.wheels_dir())
}

fn lock_of(project: &Project, wheels: &[&DistFile]) {
    let mut pyproject = Pyproject::new(Style::Poetry);
    let mut lock = Lockfile::new(LockFormat::V2_1);
    for wheel in wheels {
        pyproject = pyproject.dep(Dep::new(&wheel.name, "*"));
        lock = lock.package(Locked::of(wheel));
    }
    project.clone().pyproject(pyproject).lock(lock).write();
}

#[test]
fn kill_at_any_point_then_rerun_gives_the_locked_state() {
    let context = TestContext::new();
    let names = ["alpha", "beta", "delta", "gamma"];
    let v1: Vec<DistFile> = names
        .iter()
        .map(|n| big_wheel(&context, n, "1.0"))
        .collect();
    let v2: Vec<DistFile> = names
        .iter()
        .map(|n| big_wheel(&context, n, "2.0"))
        .collect();
    let server = IndexServer::start();
    for wheel in v1.iter().chain(&v2) {
        server.add(wheel);
    }
    let project = context.project();
    let mut killed_mid_run = 0;
    for (round, delay_ms) in [5u64, 15, 30, 45, 60, 80, 100, 130, 160, 200, 250, 320]
        .into_iter()
        .enumerate()
    {
        // Alternate between the two locks, so kills land in fresh installs and replacements.
        let wanted = if round % 2 == 0 { &v1 } else { &v2 };
        lock_of(&project, &wanted.iter().collect::<Vec<_>>());
        let mut child = context.install(&server).spawn();
        std::thread::sleep(Duration::from_millis(delay_ms));
        if child.try_wait().expect("polling verse").is_none() {
            killed_mid_run += 1;
        }
        let _ = child.kill();
        let _ = child.wait();

        context.install(&server).run().success();
        context
            .verse()
            .arg("check")
            .run()
            .success()
            .stdout_has("OK, the venv matches the lock");
        let expected: Vec<String> = wanted
            .iter()
            .map(|w| format!("{}=={}", w.name, w.version))
            .collect();
        assert_eq!(
            context.installed(),
            expected,
            "round {round}, killed after {delay_ms} ms"
        );
    }
    assert!(
        killed_mid_run >= 4,
        "only {killed_mid_run} of 12 kills landed while verse was running: the wheels are too small to test interruption"
    );
}
