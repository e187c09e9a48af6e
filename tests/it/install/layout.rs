//! What lands on disk for one wheel: the import works, console and gui scripts run, the
//! `.data/` directories are mapped like pip maps them, RECORD and INSTALLER are rewritten, and
//! namespace packages from several wheels share their directory.

use std::os::unix::fs::PermissionsExt;

use super::*;

#[test]
fn installed_package_imports_in_the_venv() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let beta = wheel(&context, "beta", "2.1.0");
    let (_, server) = project_with(&context, &[&alpha, &beta]);

    let output = context.install(&server).run();

    output
        .success()
        .installed_count(2)
        .added_exactly(&["alpha==1.0.0", "beta==2.1.0"]);
    assert_eq!(
        imported_versions(&context, &["alpha", "beta"]),
        "alpha 1.0.0\nbeta 2.1.0\n"
    );
    let imported_from = context
        .venv_python(&["-c", "import alpha; print(alpha.__file__)"])
        .success()
        .stdout
        .clone();
    assert!(
        imported_from.starts_with("[TEMP]/project/.venv/lib/python3."),
        "{imported_from}"
    );
}

#[test]
fn console_and_gui_scripts_run_with_the_venv_python() {
    let context = TestContext::new();
    let tool = WheelBuilder::new("tool", "1.0.0")
        .package("tool")
        .file(
            "tool/cli.py",
            "import sys\ndef main():\n    print('tool ran with', sys.prefix)\n    return 3\ndef gui():\n    print('gui ran')\n",
        )
        .console_script("tool-cli", "tool.cli:main")
        .gui_script("tool-gui", "tool.cli:gui")
        .build(&context.wheels_dir());
    let (_, server) = project_with(&context, &[&tool]);

    context.install(&server).run().success();

    let cli = context.venv_bin("tool-cli", &[]);
    // The launcher exits with main()'s return value, like pip's.
    cli.exit_code(3)
        .stdout_is("tool ran with [TEMP]/project/.venv\n");
    context
        .venv_bin("tool-gui", &[])
        .success()
        .stdout_is("gui ran\n");
    let launcher = read(&context.venv().join("bin/tool-cli"));
    assert!(
        launcher.starts_with(&format!("#!{}/bin/python", context.venv().display())),
        "{launcher}"
    );
    let mode = std::fs::metadata(context.venv().join("bin/tool-cli"))
        .expect("launcher")
        .permissions()
        .mode();
    assert_eq!(mode & 0o111, 0o111, "launcher must be executable: {mode:o}");
}

#[test]
fn data_directories_map_to_the_venv_scheme() {
    let context = TestContext::new();
    let data = WheelBuilder::new("datapkg", "1.0.0")
        .package("datapkg")
        .data(
            "scripts",
            "datapkg-run",
            "#!python\nimport sys\nprint('run by', sys.prefix)\n",
        )
        .data("scripts", "datapkg-sh", "#!/bin/sh\necho shell script\n")
        .data("data", "share/datapkg/notes.txt", "notes\n")
        .data("headers", "datapkg.h", "#define DATAPKG 1\n")
        .data("purelib", "datapkg_extra.py", "EXTRA = 'purelib'\n")
        .data("platlib", "datapkg_plat.py", "PLAT = 'platlib'\n")
        .build(&context.wheels_dir());
    let (_, server) = project_with(&context, &[&data]);

    context.install(&server).run().success();

    let venv = context.venv();
    context
        .venv_bin("datapkg-run", &[])
        .success()
        .stdout_is("run by [TEMP]/project/.venv\n");
    context
        .venv_bin("datapkg-sh", &[])
        .success()
        .stdout_is("shell script\n");
    assert_eq!(read(&venv.join("share/datapkg/notes.txt")), "notes\n");
    let (major, minor) = default_python_version();
    assert_eq!(
        read(&venv.join(format!(
            "include/site/python{major}.{minor}/datapkg/datapkg.h"
        ))),
        "#define DATAPKG 1\n"
    );
    context
        .venv_python(&[
            "-c",
            "import datapkg_extra, datapkg_plat; print(datapkg_extra.EXTRA, datapkg_plat.PLAT)",
        ])
        .success()
        .stdout_is("purelib platlib\n");
    assert!(
        !context.site_packages().join("datapkg-1.0.0.data").exists(),
        "the .data directory itself must not be installed"
    );
}

#[test]
fn record_lists_every_installed_file_with_its_hash_and_installer_is_verse() {
    let context = TestContext::new();
    let tool = WheelBuilder::new("tool", "1.0.0")
        .package("tool")
        .console_script("tool-cli", "tool:main")
        .data("scripts", "tool-script", "#!python\nprint(1)\n")
        .dist_info_file("licenses/LICENSE", "MIT\n")
        .build(&context.wheels_dir());
    let (_, server) = project_with(&context, &[&tool]);

    context.install(&server).run().success();

    let site = context.site_packages();
    let dist_info = context.dist_info("tool");
    assert_eq!(read(&dist_info.join("INSTALLER")), "verse\n");
    assert_eq!(read(&dist_info.join("licenses/LICENSE")), "MIT\n");
    let rows = context.record("tool");
    let paths: Vec<&str> = rows.iter().map(|(p, _, _)| p.as_str()).collect();
    for expected in [
        "tool/__init__.py",
        "tool-1.0.0.dist-info/METADATA",
        "tool-1.0.0.dist-info/INSTALLER",
        "tool-1.0.0.dist-info/RECORD",
        "../../../bin/tool-cli",
        "../../../bin/tool-script",
    ] {
        assert!(
            paths.contains(&expected),
            "RECORD lacks {expected}: {paths:?}"
        );
    }
    for (path, hash, size) in &rows {
        let file = site.join(path);
        assert!(file.exists(), "RECORD names a missing file: {path}");
        // RECORD itself, and bytecode compiled at install time (as pip does), carry no hash.
        if path.ends_with("/RECORD") || path.ends_with(".pyc") {
            assert_eq!((hash.as_str(), size.as_str()), ("", ""), "{path}");
            continue;
        }
        let bytes = std::fs::read(&file).expect("reading an installed file");
        assert_eq!(hash, &record_hash(&bytes), "hash of {path}");
        assert_eq!(size, &bytes.len().to_string(), "size of {path}");
    }
    // Scripts are rewritten, so their rows hash the rewritten bytes, not the wheel's.
    let script = read(&context.venv().join("bin/tool-script"));
    assert!(script.starts_with(&format!("#!{}/bin/python", context.venv().display())));
}

#[test]
fn namespace_packages_from_two_wheels_share_their_directory() {
    let context = TestContext::new();
    let one = WheelBuilder::new("ns-one", "1.0.0")
        .namespace_package("nsroot.one")
        .build(&context.wheels_dir());
    let two = WheelBuilder::new("ns-two", "1.0.0")
        .namespace_package("nsroot.two")
        .build(&context.wheels_dir());
    let (_, server) = project_with(&context, &[&one, &two]);

    context.install(&server).run().success();

    context
        .venv_python(&[
            "-c",
            "import nsroot.one, nsroot.two; print(nsroot.one.NAME, nsroot.two.NAME)",
        ])
        .success()
        .stdout_is("nsroot.one nsroot.two\n");
    assert!(!context.site_packages().join("nsroot/__init__.py").exists());
}

#[test]
fn platform_wheel_is_preferred_over_the_pure_one_when_it_fits() {
    let context = TestContext::new();
    let (major, minor) = default_python_version();
    let arch = std::env::consts::ARCH;
    let tag =
        format!("cp{major}{minor}-cp{major}{minor}-manylinux_2_17_{arch}.manylinux2014_{arch}");
    let pure = WheelBuilder::new("fast", "1.0.0")
        .file("fast/__init__.py", "KIND = 'pure'\n")
        .build(&context.wheels_dir());
    let binary = WheelBuilder::new("fast", "1.0.0")
        .tag(&tag)
        .platlib()
        .file("fast/__init__.py", "KIND = 'binary'\n")
        .build(&context.wheels_dir());
    context
        .project()
        .pyproject(Pyproject::new(Style::Poetry).dep(Dep::new("fast", "*")))
        .lock(Lockfile::new(LockFormat::V2_1).package(Locked::of(&pure).file(&binary)))
        .write();
    let server = IndexServer::with_files([&pure, &binary]);

    context.install(&server).run().success();

    context
        .venv_python(&["-c", "import fast; print(fast.KIND)"])
        .success()
        .stdout_is("binary\n");
    assert_eq!(server.downloads(), vec![binary.filename.clone()]);
}

#[test]
fn verse_creates_a_venv_python_can_run() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let (_, server) = project_with(&context, &[&alpha]);

    context.install(&server).run().success();

    let venv = context.venv();
    assert!(read(&venv.join("pyvenv.cfg")).contains("home = "));
    for activate in ["activate", "activate.fish", "activate.csh"] {
        assert!(
            venv.join("bin").join(activate).is_file(),
            "missing bin/{activate}"
        );
    }
    context
        .venv_python(&["-c", "import sys; print(sys.prefix != sys.base_prefix)"])
        .success()
        .stdout_is("True\n");
}
