//! `verse download`: what it selects for targets named by flags, the folder and static index
//! it writes, resuming, `--all-platforms`, and the folder behind a plain static HTTP server.

use super::*;

/// A project with a pure wheel, a native package with a Linux and a Windows wheel plus its
/// sdist, and a Windows-only dependency.
struct Multi {
    pure: DistFile,
    linux: DistFile,
    windows: DistFile,
    sdist: DistFile,
    colorama: DistFile,
    server: IndexServer,
}

fn multi_platform(context: &TestContext) -> Multi {
    let pure = wheel(context, "alpha", "1.0.0");
    let linux = WheelBuilder::new("native", "2.0.0")
        .package("native")
        .tag("cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64")
        .platlib()
        .build(&context.wheels_dir());
    let windows = WheelBuilder::new("native", "2.0.0")
        .package("native")
        .tag("cp311-cp311-win_amd64")
        .platlib()
        .build(&context.wheels_dir());
    let sdist = sdist("native", "2.0.0", &context.wheels_dir());
    let colorama = wheel(context, "colorama", "0.4.6");
    context
        .project()
        .pyproject(
            Pyproject::new(Style::Poetry)
                .dep(Dep::new("alpha", "*"))
                .dep(Dep::new("native", "*"))
                .dep(Dep::new("colorama", "*").markers("sys_platform == \"win32\"")),
        )
        .lock(
            Lockfile::new(LockFormat::V2_1)
                .package(Locked::of(&pure))
                .package(Locked::of(&linux).file(&windows).file(&sdist))
                .package(Locked::of(&colorama).markers("sys_platform == \"win32\"")),
        )
        .write();
    let server = IndexServer::with_files([&pure, &linux, &windows, &sdist, &colorama]);
    Multi {
        pure,
        linux,
        windows,
        sdist,
        colorama,
        server,
    }
}

fn files_in(dir: &std::path::Path) -> Vec<String> {
    tree(dir)
        .into_iter()
        .filter(|f| !f.starts_with("simple/"))
        .collect()
}

fn sorted(names: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    out.sort();
    out
}

#[test]
fn linux_target_gets_exactly_what_a_linux_install_needs() {
    let context = TestContext::new();
    let m = multi_platform(&context);
    let dest = context.root().join("wheelhouse");

    let output = context
        .verse()
        .args(["download", "--index-url", &m.server.url(), "--dest"])
        .arg(&dest)
        .args([
            "--only",
            "main",
            "--python-version",
            "3.11",
            "--platform",
            "manylinux_2_36_x86_64",
            "--implementation",
            "cp",
            "--abi",
            "cp311",
        ])
        .run();

    output
        .success()
        .stderr_has("CPython 3.11.0 on linux x86_64: 2 packages selected")
        .stderr_has("skipped: colorama==0.4.6 for CPython 3.11.0 on linux x86_64")
        .stderr_has("1 sdist (not needed: a wheel was chosen), 1 wheel for other targets")
        .stderr_has("Downloaded 2 files");
    assert_eq!(
        files_in(&dest),
        sorted(&[&m.pure.filename, &m.linux.filename])
    );
    assert_eq!(
        sorted(
            &m.server
                .downloads()
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
        ),
        sorted(&[&m.pure.filename, &m.linux.filename])
    );
}

#[test]
fn several_platforms_are_several_targets() {
    let context = TestContext::new();
    let m = multi_platform(&context);
    let dest = context.root().join("wheelhouse");

    context
        .verse()
        .args(["download", "--index-url", &m.server.url(), "--dest"])
        .arg(&dest)
        .args(["--python-version", "3.11"])
        .args([
            "--platform",
            "manylinux_2_36_x86_64",
            "--platform",
            "win_amd64",
        ])
        .run()
        .success()
        .stderr_has("CPython 3.11.0 on win32 AMD64: 3 packages selected");

    assert_eq!(
        files_in(&dest),
        sorted(&[
            &m.pure.filename,
            &m.linux.filename,
            &m.windows.filename,
            &m.colorama.filename
        ])
    );
}

#[test]
fn all_platforms_takes_every_wheel_and_says_it_skips_sdists() {
    let context = TestContext::new();
    let m = multi_platform(&context);
    let dest = context.root().join("wheelhouse");

    context
        .verse()
        .args([
            "download",
            "--all-platforms",
            "--index-url",
            &m.server.url(),
            "--dest",
        ])
        .arg(&dest)
        .run()
        .success()
        .stderr_has("skipped: 1 sdist: --all-platforms takes wheels only");

    assert_eq!(
        files_in(&dest),
        sorted(&[
            &m.pure.filename,
            &m.linux.filename,
            &m.windows.filename,
            &m.colorama.filename
        ])
    );
    assert!(!dest.join(&m.sdist.filename).exists());
}

#[test]
fn writes_pep503_and_pep691_pages_with_hashes() {
    let context = TestContext::new();
    let m = multi_platform(&context);
    let dest = context.root().join("wheelhouse");

    context
        .verse()
        .args([
            "download",
            "--all-platforms",
            "--index-url",
            &m.server.url(),
            "--dest",
        ])
        .arg(&dest)
        .run()
        .success();

    let root = read(&dest.join("simple/index.html"));
    for project in ["alpha", "colorama", "native"] {
        assert!(
            root.contains(&format!("<a href=\"{project}/\">{project}</a>")),
            "{root}"
        );
    }
    let page = read(&dest.join("simple/native/index.html"));
    for file in [&m.linux, &m.windows] {
        assert!(
            page.contains(&format!(
                "<a href=\"../../{}#sha256={}\">{}</a>",
                file.filename, file.sha256, file.filename
            )),
            "{page}"
        );
    }
    let json: serde_json::Value =
        serde_json::from_str(&read(&dest.join("simple/native/index.json"))).unwrap();
    assert_eq!(json["meta"]["api-version"], "1.0");
    let files = json["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    for entry in files {
        let name = entry["filename"].as_str().unwrap();
        let expected = if name == m.linux.filename {
            &m.linux.sha256
        } else {
            &m.windows.sha256
        };
        assert_eq!(entry["hashes"]["sha256"].as_str().unwrap(), expected);
        assert_eq!(entry["url"].as_str().unwrap(), format!("../../{name}"));
    }
}

#[test]
fn resumes_keeping_verified_files_and_refetching_damaged_ones() {
    let context = TestContext::new();
    let m = multi_platform(&context);
    let dest = context.root().join("wheelhouse");
    let download = || {
        context
            .verse()
            .args([
                "download",
                "--all-platforms",
                "--index-url",
                &m.server.url(),
                "--dest",
            ])
            .arg(&dest)
            // No cache: what is kept must come from the folder itself.
            .arg("--no-cache")
            .run()
    };
    download().success();
    m.server.clear_log();

    download()
        .success()
        .stderr_has("Downloaded 0 files (0 B)")
        .stderr_has("4 already present");
    assert!(
        m.server.downloads().is_empty(),
        "{:?}",
        m.server.downloads()
    );

    // A truncated file (an interrupted copy) is fetched again; the others are kept.
    let damaged = dest.join(&m.colorama.filename);
    std::fs::write(&damaged, b"partial").unwrap();
    download()
        .success()
        .stderr_has("does not match the lock: fetching it again")
        .stderr_has("Downloaded 1 file");
    assert_eq!(m.server.downloads(), vec![m.colorama.filename.clone()]);
    assert_eq!(std::fs::read(&damaged).unwrap(), m.colorama.bytes());
}

#[test]
fn the_folder_works_behind_a_plain_static_http_server() {
    let context = TestContext::new();
    let wheels = [
        wheel(&context, "alpha", "1.0.0"),
        wheel(&context, "beta", "2.0.0"),
    ];
    locked_project(&context, &[&wheels[0], &wheels[1]]);
    let server = IndexServer::with_files(wheels.iter());
    let dest = context.root().join("wheelhouse");
    context
        .verse()
        .args(["download", "--index-url", &server.url(), "--dest"])
        .arg(&dest)
        .run()
        .success();

    // python3 -m http.server: it knows nothing about Python packages.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let mut static_server = std::process::Command::new("python3")
        .args([
            "-m",
            "http.server",
            "--bind",
            "127.0.0.1",
            &port.to_string(),
        ])
        .current_dir(&dest)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("starting python3 -m http.server");
    let ready = (0..100).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(50));
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    let output = context
        .verse()
        .args([
            "install",
            "--index-url",
            &format!("http://127.0.0.1:{port}/simple"),
        ])
        .env("VERSE_CACHE_DIR", context.root().join("cache-2"))
        .run();
    let _ = static_server.kill();
    let _ = static_server.wait();

    assert!(ready, "the static server did not start");
    output.success().installed_count(2);
    assert_eq!(
        imports(&context, &["alpha", "beta"]),
        "alpha 1.0.0\nbeta 2.0.0\n"
    );
}

#[test]
fn bad_target_flags_are_input_errors() {
    let context = TestContext::new();
    let m = multi_platform(&context);
    let dest = context.root().join("wheelhouse");

    context
        .verse()
        .args(["download", "--index-url", &m.server.url(), "--dest"])
        .arg(&dest)
        .args(["--python-version", "3.11", "--platform", "amiga_68k"])
        .run()
        .user_error()
        .error_has("amiga_68k");
    context
        .verse()
        .args(["download", "--index-url", &m.server.url(), "--dest"])
        .arg(&dest)
        .args(["--platform", "win_amd64"])
        .run()
        .user_error()
        .error_has("--python-version");
    assert!(m.server.requests().is_empty());
}
