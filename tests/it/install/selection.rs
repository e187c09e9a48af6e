//! Which locked packages get installed: groups, extras and markers, for lock 2.1 (per-package
//! groups and markers) and for the older 2.0 and 1.1 locks (a walk from pyproject's
//! requirements). The expected sets follow `poetry install` (reference/poetry-lock.md §2.2,
//! §2.3); the installed set is read back from the venv, not from verse's output.

use super::*;

/// Lock 2.1, every selection rule at once:
/// * `alpha` main; `eta` main, marker true on any CPython 3.8+;
/// * `beta` dev; `gamma` docs (an optional group);
/// * `delta` main, only on Windows;
/// * `epsilon` optional, main, only with the root extra `fast`;
/// * `zeta` in main and dev, with a Windows-only marker for main alone (so: dev only, here).
fn groups_project(context: &TestContext) -> IndexServer {
    groups_project_in(context, Style::Poetry)
}

fn groups_project_in(context: &TestContext, style: Style) -> IndexServer {
    let names = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta"];
    let wheels: Vec<DistFile> = names.iter().map(|n| wheel(context, n, "1.0.0")).collect();
    let w = |name: &str| {
        wheels
            .iter()
            .find(|w| w.name == name)
            .expect("a built wheel")
    };
    context
        .project()
        .pyproject(
            Pyproject::new(style)
                .dep(Dep::new("alpha", ">=1.0"))
                .dep(Dep::new("delta", "*").markers("sys_platform == \"win32\""))
                .dep(Dep::new("epsilon", "*"))
                .dep(Dep::new("eta", "*").markers("python_version >= \"3.8\""))
                .dep(Dep::new("zeta", "*").markers("sys_platform == \"win32\""))
                .extra("fast", &["epsilon"])
                .group_dep("dev", Dep::new("beta", "*"))
                .group_dep("dev", Dep::new("zeta", "*"))
                .group_dep("docs", Dep::new("gamma", "*"))
                .optional_group("docs"),
        )
        .lock(
            Lockfile::new(LockFormat::V2_1)
                .package(Locked::of(w("alpha")))
                .package(Locked::of(w("beta")).groups(&["dev"]))
                .package(Locked::of(w("gamma")).groups(&["docs"]))
                .package(Locked::of(w("delta")).markers("sys_platform == \"win32\""))
                .package(
                    Locked::of(w("epsilon"))
                        .optional()
                        .markers("extra == \"fast\""),
                )
                .package(
                    Locked::of(w("zeta"))
                        .groups(&["main", "dev"])
                        .group_markers(&[("main", "sys_platform == \"win32\"")]),
                )
                .package(Locked::of(w("eta")).markers("python_version >= \"3.8\"")),
        )
        .write();
    IndexServer::with_files(&wheels)
}

/// Installs the groups project with these extra arguments; returns the venv's distributions.
fn installed_with(args: &[&str]) -> Vec<String> {
    let context = TestContext::new();
    let server = groups_project(&context);
    context.install(&server).args(args).run().success();
    context.installed()
}

fn set(items: &[&str]) -> Vec<String> {
    items.iter().map(|i| format!("{i}==1.0.0")).collect()
}

#[test]
fn default_install_takes_main_and_non_optional_groups_where_markers_hold() {
    let context = TestContext::new();
    let server = groups_project(&context);

    let output = context.install(&server).run();

    output.success().installed_count(4).added_exactly(&[
        "alpha==1.0.0",
        "beta==1.0.0",
        "eta==1.0.0",
        "zeta==1.0.0",
    ]);
    assert_eq!(context.installed(), set(&["alpha", "beta", "eta", "zeta"]));
}

#[test]
fn only_main_skips_dev_and_the_main_marker_of_a_shared_package() {
    assert_eq!(installed_with(&["--only", "main"]), set(&["alpha", "eta"]));
}

#[test]
fn with_adds_an_optional_group() {
    assert_eq!(
        installed_with(&["--with", "docs"]),
        set(&["alpha", "beta", "eta", "gamma", "zeta"])
    );
}

#[test]
fn without_removes_a_group() {
    assert_eq!(
        installed_with(&["--without", "dev"]),
        set(&["alpha", "eta"])
    );
}

#[test]
fn all_groups_includes_optional_groups() {
    assert_eq!(
        installed_with(&["--all-groups"]),
        set(&["alpha", "beta", "eta", "gamma", "zeta"])
    );
}

#[test]
fn only_takes_a_comma_separated_list() {
    assert_eq!(
        installed_with(&["--only", "main,docs"]),
        set(&["alpha", "eta", "gamma"])
    );
}

#[test]
fn only_an_optional_group_installs_just_that_group() {
    assert_eq!(installed_with(&["--only", "docs"]), set(&["gamma"]));
}

#[test]
fn extra_enables_its_optional_package() {
    assert_eq!(
        installed_with(&["-E", "fast"]),
        set(&["alpha", "beta", "epsilon", "eta", "zeta"])
    );
    assert_eq!(
        installed_with(&["--extras", "fast"]),
        set(&["alpha", "beta", "epsilon", "eta", "zeta"])
    );
}

#[test]
fn all_extras_enables_every_root_extra() {
    assert_eq!(
        installed_with(&["--all-extras"]),
        set(&["alpha", "beta", "epsilon", "eta", "zeta"])
    );
}

#[test]
fn selection_options_are_read_from_verse_environment_variables() {
    let context = TestContext::new();
    let server = groups_project(&context);

    context
        .install(&server)
        .env("VERSE_WITH", "docs")
        .env("VERSE_WITHOUT", "dev")
        .env("VERSE_EXTRAS", "fast")
        .run()
        .success();

    assert_eq!(
        context.installed(),
        set(&["alpha", "epsilon", "eta", "gamma"])
    );
}

#[test]
fn unknown_group_is_an_error_naming_the_known_groups() {
    let context = TestContext::new();
    let server = groups_project(&context);

    let output = context.install(&server).args(["--with", "nope"]).run();

    output
        .user_error()
        .error_has("nope")
        .stderr_has("dev")
        .stderr_has("docs");
    assert!(context.installed().is_empty());
    assert!(server.downloads().is_empty());
}

#[test]
fn unknown_group_in_only_is_an_error_too() {
    let context = TestContext::new();
    let server = groups_project(&context);

    context
        .install(&server)
        .args(["--only", "main,nope"])
        .run()
        .user_error()
        .error_has("nope");
}

#[test]
fn unknown_extra_is_an_error_naming_the_known_extras() {
    let context = TestContext::new();
    let server = groups_project(&context);

    let output = context.install(&server).args(["-E", "nope"]).run();

    output.user_error().error_has("nope").stderr_has("fast");
    assert!(context.installed().is_empty());
}

#[test]
fn two_selected_versions_of_one_package_are_an_error() {
    let context = TestContext::new();
    let old = wheel(&context, "multi", "1.0.0");
    let new = wheel(&context, "multi", "2.0.0");
    context
        .project()
        .pyproject(Pyproject::new(Style::Poetry).dep(Dep::new("multi", "*")))
        .lock(
            Lockfile::new(LockFormat::V2_1)
                .package(Locked::of(&old))
                .package(Locked::of(&new)),
        )
        .write();
    let server = IndexServer::with_files([&old, &new]);

    let output = context.install(&server).run();

    output
        .user_error()
        .error_has("multi")
        .stderr_has("1.0.0")
        .stderr_has("2.0.0");
    assert!(context.installed().is_empty());
}

#[test]
fn markers_pick_one_of_several_locked_versions() {
    let context = TestContext::new();
    let old = wheel(&context, "multi", "1.0.0");
    let new = wheel(&context, "multi", "2.0.0");
    context
        .project()
        .pyproject(Pyproject::new(Style::Poetry).dep(Dep::new("multi", "*")))
        .lock(
            Lockfile::new(LockFormat::V2_1)
                .package(Locked::of(&old).markers("python_version < \"3.8\""))
                .package(Locked::of(&new).markers("python_version >= \"3.8\"")),
        )
        .write();
    let server = IndexServer::with_files([&old, &new]);

    context.install(&server).run().success();

    assert_eq!(context.installed(), vec!["multi==2.0.0"]);
    assert_eq!(server.downloads(), vec![new.filename.clone()]);
}

/// The same selection problem for locks that have no per-package groups or markers, so verse
/// must walk from pyproject's requirements:
/// * main: `alpha` (which needs `helper` on Python 3, `winhelper` on Windows, `multi` 1.x
///   below Python 3.8 and 2.x from 3.8, and `speedup` only for its own extra), `epsilon` via the
///   root extra `fast`;
/// * dev (old `[tool.poetry.dev-dependencies]` for lock 1.1): `beta`;
/// * `orphan` is locked but nothing requires it.
fn graph_project(context: &TestContext, format: LockFormat) -> IndexServer {
    let built: Vec<DistFile> = [
        ("alpha", "1.0.0"),
        ("helper", "1.0.0"),
        ("winhelper", "1.0.0"),
        ("multi", "1.0.0"),
        ("multi", "2.0.0"),
        ("speedup", "1.0.0"),
        ("epsilon", "1.0.0"),
        ("beta", "1.0.0"),
        ("orphan", "1.0.0"),
    ]
    .iter()
    .map(|(n, v)| wheel(context, n, v))
    .collect();
    let w = |name: &str, version: &str| {
        built
            .iter()
            .find(|w| w.name == name && w.version == version)
            .expect("a built wheel")
    };
    let mut pyproject = Pyproject::new(Style::Poetry)
        .dep(Dep::new("alpha", ">=1.0"))
        .dep(Dep::new("epsilon", "*"))
        .extra("fast", &["epsilon"])
        .group_dep("dev", Dep::new("beta", "*"));
    if format == LockFormat::V1_1 {
        pyproject = pyproject.legacy_dev_dependencies();
    }
    let dev = |locked: Locked| locked.groups(&["dev"]);
    context
        .project()
        .pyproject(pyproject)
        .lock(
            Lockfile::new(format)
                .package(
                    Locked::of(w("alpha", "1.0.0"))
                        .depends_raw(
                            "helper",
                            r#"{version = ">=1.0", markers = "python_version >= \"3.0\""}"#,
                        )
                        .depends_raw(
                            "WinHelper",
                            r#"{version = "*", markers = "sys_platform == \"win32\""}"#,
                        )
                        .depends_raw(
                            "multi",
                            r#"[{version = "<2", markers = "python_version < \"3.8\""}, {version = ">=2", markers = "python_version >= \"3.8\""}]"#,
                        )
                        .depends_raw("speedup", r#"{version = "*", optional = true}"#)
                        .extra("speed", &["speedup"]),
                )
                .package(Locked::of(w("helper", "1.0.0")))
                .package(Locked::of(w("winhelper", "1.0.0")))
                .package(Locked::of(w("multi", "1.0.0")))
                .package(Locked::of(w("multi", "2.0.0")))
                .package(Locked::of(w("speedup", "1.0.0")).optional())
                .package(Locked::of(w("epsilon", "1.0.0")).optional())
                .package(dev(Locked::of(w("beta", "1.0.0"))))
                .package(Locked::of(w("orphan", "1.0.0"))),
        )
        .write();
    IndexServer::with_files(&built)
}

fn graph_installed(format: LockFormat, args: &[&str]) -> Vec<String> {
    let context = TestContext::new();
    let server = graph_project(&context, format);
    context.install(&server).args(args).run().success();
    context.installed()
}

const GRAPH_DEFAULT: [&str; 4] = [
    "alpha==1.0.0",
    "beta==1.0.0",
    "helper==1.0.0",
    "multi==2.0.0",
];
const GRAPH_MAIN: [&str; 3] = ["alpha==1.0.0", "helper==1.0.0", "multi==2.0.0"];
const GRAPH_EXTRA: [&str; 5] = [
    "alpha==1.0.0",
    "beta==1.0.0",
    "epsilon==1.0.0",
    "helper==1.0.0",
    "multi==2.0.0",
];

#[test]
fn lock_2_0_selection_walks_from_the_pyproject_requirements() {
    assert_eq!(graph_installed(LockFormat::V2_0, &[]), GRAPH_DEFAULT);
}

#[test]
fn lock_2_0_only_main_leaves_out_the_dev_group() {
    assert_eq!(
        graph_installed(LockFormat::V2_0, &["--only", "main"]),
        GRAPH_MAIN
    );
}

#[test]
fn lock_2_0_root_extra_adds_its_package() {
    assert_eq!(
        graph_installed(LockFormat::V2_0, &["-E", "fast"]),
        GRAPH_EXTRA
    );
}

#[test]
fn lock_1_1_selection_walks_from_the_pyproject_requirements() {
    assert_eq!(graph_installed(LockFormat::V1_1, &[]), GRAPH_DEFAULT);
}

#[test]
fn lock_1_1_only_main_leaves_out_dev_dependencies() {
    assert_eq!(
        graph_installed(LockFormat::V1_1, &["--only", "main"]),
        GRAPH_MAIN
    );
}

#[test]
fn lock_1_1_root_extra_adds_its_package() {
    assert_eq!(
        graph_installed(LockFormat::V1_1, &["--all-extras"]),
        GRAPH_EXTRA
    );
}

#[test]
fn pep621_pyproject_with_lock_2_1_selects_like_the_poetry_layout() {
    let context = TestContext::new();
    let server = groups_project_in(&context, Style::Pep621);

    context
        .install(&server)
        .args(["-E", "fast"])
        .run()
        .success();

    assert_eq!(
        context.installed(),
        set(&["alpha", "beta", "epsilon", "eta", "zeta"])
    );
}

#[test]
fn old_lock_names_match_requirements_after_normalization() {
    let context = TestContext::new();
    let pretty = WheelBuilder::new("Yaml_Thing", "1.0.0")
        .package("yaml_thing")
        .build(&context.wheels_dir());
    let helper = wheel(&context, "helper", "1.0.0");
    context
        .project()
        .pyproject(Pyproject::new(Style::Poetry).dep(Dep::new("yaml.thing", ">=1")))
        .lock(
            Lockfile::new(LockFormat::V1_1)
                // Poetry 1.1 kept the pretty name, and the metadata's spelling of dependencies.
                .package(
                    Locked::new("Yaml_Thing", "1.0.0")
                        .file(&pretty)
                        .depends("HELPER", ">=1"),
                )
                .package(Locked::of(&helper)),
        )
        .write();
    let server = IndexServer::with_files([&pretty, &helper]);

    context
        .install(&server)
        .run()
        .success()
        .added_exactly(&["helper==1.0.0", "yaml-thing==1.0.0"]);

    assert_eq!(
        context.installed(),
        vec!["helper==1.0.0", "yaml-thing==1.0.0"]
    );
}
