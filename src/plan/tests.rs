//! The planner with plain values: hand-made locks and targets, no files or processes.

use std::collections::BTreeMap;
use std::path::PathBuf;

use pep508_rs::MarkerEnvironmentBuilder;

use super::*;
use crate::lock::{
    DependencyGroup, LockVersion, LockedDependency, LockedFile, LockedMarkers, LockedPackage,
    RootDependency,
};
use crate::packaging::{MarkerEnvironment, Tag, Tags};
use crate::target::{Libc, VenvLayout};

fn target(python: &str) -> Target {
    let minor: Vec<u64> = python.split('.').map(|p| p.parse().unwrap()).collect();
    let short = format!("{}.{}", minor[0], minor[1]);
    let markers = MarkerEnvironment::try_from(MarkerEnvironmentBuilder {
        implementation_name: "cpython",
        implementation_version: python,
        os_name: "posix",
        platform_machine: "x86_64",
        platform_python_implementation: "CPython",
        platform_release: "6.1.0",
        platform_system: "Linux",
        platform_version: "#1 SMP",
        python_full_version: python,
        python_version: &short,
        sys_platform: "linux",
    })
    .unwrap();
    let cp = format!("cp{}{}", minor[0], minor[1]);
    let tags = Tags::new(vec![
        Tag::new(&cp, &cp, "manylinux_2_17_x86_64"),
        Tag::new(&cp, "abi3", "manylinux_2_17_x86_64"),
        Tag::new("py3", "none", "manylinux_2_17_x86_64"),
        Tag::new(&cp, "none", "any"),
        Tag::new("py3", "none", "any"),
    ]);
    Target {
        executable: PathBuf::from("/usr/bin/python3"),
        base_executable: PathBuf::from("/usr/bin/python3"),
        prefix: PathBuf::from("/usr"),
        base_prefix: PathBuf::from("/usr"),
        version: (minor[0], minor[1], minor[2]),
        full_version: python.to_string(),
        implementation: "cpython".to_string(),
        markers,
        tags,
        venv_layout: VenvLayout {
            purelib: PathBuf::from(format!("lib/python{short}/site-packages")),
            platlib: PathBuf::from(format!("lib/python{short}/site-packages")),
            scripts: PathBuf::from("bin"),
            include: PathBuf::from(format!("include/site/python{short}")),
            data: PathBuf::new(),
        },
        libc: Libc::Glibc {
            major: 2,
            minor: 36,
        },
    }
}

fn name(n: &str) -> PackageName {
    PackageName::new(n.to_string()).unwrap()
}

fn wheel_file(file: &str) -> LockedFile {
    LockedFile {
        filename: file.to_string(),
        hash: format!("sha256:{}", "a".repeat(64)).parse().unwrap(),
    }
}

fn package(n: &str, version: &str) -> LockedPackage {
    LockedPackage {
        name: name(n),
        version: version.parse().unwrap(),
        pretty_version: version.to_string(),
        description: String::new(),
        optional: false,
        python_versions: "*".to_string(),
        category: None,
        groups: vec![GroupName::main()],
        markers: LockedMarkers::Always,
        legacy_marker: None,
        files: vec![wheel_file(&format!(
            "{}-{version}-py3-none-any.whl",
            n.replace('-', "_")
        ))],
        dependencies: vec![],
        extras: BTreeMap::new(),
        source: PackageSource::Pypi,
        develop: false,
    }
}

fn lock(version: (u64, u64), packages: Vec<LockedPackage>) -> Lock {
    Lock {
        lock_version: Some(LockVersion {
            major: version.0,
            minor: version.1,
        }),
        generated_by: None,
        python_versions: ">=3.9".to_string(),
        content_hash: None,
        packages,
        extras: BTreeMap::new(),
    }
}

fn group(n: &str, optional: bool, dependencies: &[&str]) -> DependencyGroup {
    DependencyGroup {
        name: GroupName::new(n),
        optional,
        dependencies: dependencies
            .iter()
            .map(|d| RootDependency {
                name: name(d),
                constraint: "*".to_string(),
                markers: None,
                extras: vec![],
                optional: false,
                direct: None,
            })
            .collect(),
    }
}

fn project(groups: Vec<DependencyGroup>) -> Project {
    Project {
        root: PathBuf::from("/project"),
        name: Some(name("demo")),
        version: Some("1.0".to_string()),
        package_mode: true,
        python_constraint: Some(">=3.9".to_string()),
        groups,
        extras: BTreeMap::new(),
        sources: vec![],
        root_package: RootPackage::default(),
        content_hash: String::new(),
        legacy_content_hash: None,
    }
}

fn selection(flags: &[(&str, &str)]) -> Selection {
    let mut s = Selection {
        no_root: true,
        ..Selection::default()
    };
    for (flag, value) in flags {
        match *flag {
            "only" => s.only.push(value.to_string()),
            "with" => s.with.push(value.to_string()),
            "without" => s.without.push(value.to_string()),
            "extras" => s.extras.push(value.to_string()),
            "all-groups" => s.all_groups = true,
            "all-extras" => s.all_extras = true,
            other => panic!("unknown flag {other}"),
        }
    }
    s
}

fn names(plan: &Plan) -> Vec<String> {
    plan.packages
        .iter()
        .map(|p| format!("{}=={}", p.name, p.pretty_version))
        .collect()
}

/// A 2.1 lock shaped like Poetry 2.5.1's sample: groups, per-group markers, extras.
fn lock_21() -> (Project, Lock) {
    let mut tomli = package("tomli", "2.5.0");
    tomli.groups = vec![GroupName::main(), GroupName::new("dev")];
    tomli.markers = LockedMarkers::PerGroup(BTreeMap::from([(
        GroupName::main(),
        "python_version < \"3.11\"".to_string(),
    )]));
    let mut old_click = package("click", "8.1.8");
    old_click.markers = LockedMarkers::All("python_version == \"3.9\"".to_string());
    let mut new_click = package("click", "8.5.1");
    new_click.markers = LockedMarkers::All("python_version >= \"3.10\"".to_string());
    let mut pyyaml = package("pyyaml", "6.0.4");
    pyyaml.optional = true;
    pyyaml.markers = LockedMarkers::All("extra == \"yaml\"".to_string());
    let mut mkdocs = package("mkdocs", "1.6.0");
    mkdocs.groups = vec![GroupName::new("docs")];
    let mut colorama = package("colorama", "0.4.6");
    colorama.markers = LockedMarkers::All("sys_platform == \"win32\"".to_string());
    let mut lock = lock(
        (2, 1),
        vec![old_click, new_click, colorama, mkdocs, pyyaml, tomli],
    );
    lock.extras
        .insert(ExtraName::new("yaml".into()).unwrap(), vec![name("pyyaml")]);
    let project = project(vec![
        group("main", false, &["click", "pyyaml"]),
        group("dev", false, &["tomli"]),
        group("docs", true, &["mkdocs"]),
    ]);
    (project, lock)
}

#[test]
fn lock_21_default_groups_and_markers() {
    let (project, lock) = lock_21();
    let plan = plan(
        &project,
        &lock,
        &target("3.11.7"),
        &selection(&[]),
        Policy::default(),
    )
    .unwrap();
    // tomli: unconditional in dev, which is active by default.
    assert_eq!(names(&plan), ["click==8.5.1", "tomli==2.5.0"]);
    let colorama = plan
        .skipped
        .iter()
        .find(|s| s.name.as_ref() == "colorama")
        .unwrap();
    assert!(
        colorama.reason.contains("sys_platform"),
        "{}",
        colorama.reason
    );
    let pyyaml = plan
        .skipped
        .iter()
        .find(|s| s.name.as_ref() == "pyyaml")
        .unwrap();
    assert!(pyyaml.reason.contains("extra"), "{}", pyyaml.reason);
    let mkdocs = plan
        .skipped
        .iter()
        .find(|s| s.name.as_ref() == "mkdocs")
        .unwrap();
    assert!(mkdocs.reason.contains("docs"), "{}", mkdocs.reason);
    assert!(plan.packages[0].requested);
}

#[test]
fn lock_21_only_main_uses_the_main_marker() {
    let (project, lock) = lock_21();
    let only_main = selection(&[("only", "main")]);
    let on_311 = plan(
        &project,
        &lock,
        &target("3.11.7"),
        &only_main,
        Policy::default(),
    )
    .unwrap();
    assert_eq!(names(&on_311), ["click==8.5.1"]);
    let on_39 = plan(
        &project,
        &lock,
        &target("3.9.18"),
        &only_main,
        Policy::default(),
    )
    .unwrap();
    assert_eq!(names(&on_39), ["click==8.1.8", "tomli==2.5.0"]);
}

/// Poetry ignores `--with`/`--without` next to `--only`, and says so (2.5.1
/// `GroupCommand.activated_groups`); silently dropping them would hide a mistake.
#[test]
fn only_with_with_or_without_warns_that_they_are_ignored() {
    let (project, lock) = lock_21();
    let both = selection(&[("only", "main"), ("without", "main")]);
    let plan = plan(&project, &lock, &target("3.11.7"), &both, Policy::default()).unwrap();
    assert_eq!(names(&plan), ["click==8.5.1"]);
    assert_eq!(
        plan.warnings,
        ["the `--with` and `--without` options are ignored when used along with the `--only` option"]
    );
}

#[test]
fn lock_21_with_optional_group_and_extras() {
    let (project, lock) = lock_21();
    let plan = plan(
        &project,
        &lock,
        &target("3.11.7"),
        &selection(&[("with", "docs"), ("without", "dev"), ("extras", "yaml")]),
        Policy::default(),
    )
    .unwrap();
    assert_eq!(
        names(&plan),
        ["click==8.5.1", "mkdocs==1.6.0", "pyyaml==6.0.4"]
    );
    let all = super::plan(
        &project,
        &lock,
        &target("3.11.7"),
        &selection(&[("all-groups", ""), ("all-extras", "")]),
        Policy::default(),
    )
    .unwrap();
    assert_eq!(all.packages.len(), 4);
}

#[test]
fn unknown_groups_and_extras_name_the_known_ones() {
    let (project, lock) = lock_21();
    let error = plan(
        &project,
        &lock,
        &target("3.11.7"),
        &selection(&[("with", "Doc"), ("without", "lint")]),
        Policy::default(),
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "unknown groups: doc, lint (known groups: main, dev, docs)"
    );
    let error = plan(
        &project,
        &lock,
        &target("3.11.7"),
        &selection(&[("extras", "toml")]),
        Policy::default(),
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "unknown extra: toml (known extras: yaml)"
    );
}

#[test]
fn interpreter_outside_the_project_range_is_refused() {
    let (project, mut lock) = lock_21();
    lock.python_versions = "^3.12".to_string();
    let error = plan(
        &project,
        &lock,
        &target("3.11.7"),
        &selection(&[]),
        Policy::default(),
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "Python 3.11.7 is not allowed by the project, which requires Python ^3.12"
    );
}

#[test]
fn overlapping_markers_are_an_error() {
    let (project, mut lock) = lock_21();
    for p in &mut lock.packages {
        if p.name.as_ref() == "click" {
            p.markers = LockedMarkers::Always;
        }
    }
    let error = plan(
        &project,
        &lock,
        &target("3.11.7"),
        &selection(&[]),
        Policy::default(),
    )
    .unwrap_err();
    assert!(
        matches!(&error, PlanError::ConflictingVersions { name, .. } if name == "click"),
        "{error}"
    );
}

#[test]
fn best_wheel_by_tag_priority_then_build_tag() {
    let mut numpy = package("numpy", "2.0.0");
    numpy.files = vec![
        wheel_file("numpy-2.0.0-py3-none-any.whl"),
        wheel_file("numpy-2.0.0-cp311-cp311-manylinux_2_17_x86_64.whl"),
        wheel_file("numpy-2.0.0-1-cp311-cp311-manylinux_2_17_x86_64.whl"),
        wheel_file("numpy-2.0.0-cp312-cp312-manylinux_2_17_x86_64.whl"),
        wheel_file("numpy-2.0.0.tar.gz"),
    ];
    let lock = lock((2, 1), vec![numpy]);
    let project = project(vec![group("main", false, &["numpy"])]);
    let plan = plan(
        &project,
        &lock,
        &target("3.11.7"),
        &selection(&[]),
        Policy::default(),
    )
    .unwrap();
    match &plan.packages[0].artifact {
        Artifact::Wheel { file, .. } => {
            assert_eq!(file, "numpy-2.0.0-1-cp311-cp311-manylinux_2_17_x86_64.whl")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn every_uninstallable_package_is_reported_together() {
    let mut native = package("native", "1.0");
    native.files = vec![
        wheel_file("native-1.0-cp312-cp312-manylinux_2_17_x86_64.whl"),
        wheel_file("native-1.0-cp311-cp311-win_amd64.whl"),
    ];
    let mut bare = package("bare", "1.0");
    bare.files = vec![];
    let lock = lock((2, 1), vec![bare, native]);
    let project = project(vec![group("main", false, &["native"])]);
    let error = plan(
        &project,
        &lock,
        &target("3.11.7"),
        &selection(&[]),
        Policy::default(),
    )
    .unwrap_err();
    let PlanError::Artifacts(errors) = &error else {
        panic!("{error}")
    };
    assert_eq!(errors.len(), 2, "{error}");
    let text = error.to_string();
    assert!(
        text.starts_with("2 packages cannot be installed:"),
        "{text}"
    );
    assert!(
        text.contains("bare==1.0: the lock has no hash for it"),
        "{text}"
    );
    assert!(
        text.contains("native-1.0-cp311-cp311-win_amd64.whl: "),
        "the rejected files are listed: {text}"
    );
    assert!(error.hint().unwrap().contains("--allow-unhashed"));

    // The unhashed one alone is accepted with the flag, and flagged as such.
    let lock_bare = super::tests::lock(
        (2, 1),
        vec![{
            let mut p = package("bare", "1.0");
            p.files = vec![];
            p
        }],
    );
    let plan = super::plan(
        &project,
        &lock_bare,
        &target("3.11.7"),
        &selection(&[]),
        Policy {
            allow_unhashed: true,
            no_editable: false,
        },
    )
    .unwrap();
    assert!(matches!(plan.packages[0].artifact, Artifact::BestFromIndex));
    assert_eq!(plan.warnings.len(), 1);
}

/// An old lock (1.1): no groups or markers on packages; the walk from pyproject decides.
#[test]
fn old_lock_walk_follows_markers_extras_and_constraints() {
    let mut httpx = package("httpx", "0.28.1");
    httpx.dependencies = vec![
        LockedDependency {
            name: name("socksio"),
            constraint: "==1.*".into(),
            markers: Some("extra == \"socks\"".into()),
            python: None,
            extras: vec![],
            optional: true,
        },
        LockedDependency {
            name: name("colorama"),
            constraint: "*".into(),
            markers: Some("platform_system == \"Windows\"".into()),
            python: None,
            extras: vec![],
            optional: false,
        },
        LockedDependency {
            name: name("filelock"),
            constraint: "3.19.1".into(),
            markers: Some("python_version < \"3.10\"".into()),
            python: None,
            extras: vec![],
            optional: false,
        },
        LockedDependency {
            name: name("filelock"),
            constraint: ">=3.24.2,<5".into(),
            markers: Some("python_version >= \"3.10\"".into()),
            python: None,
            extras: vec![],
            optional: false,
        },
    ];
    httpx.extras.insert(
        ExtraName::new("socks".into()).unwrap(),
        vec!["socksio (==1.*)".into()],
    );
    let mut lock = lock(
        (1, 1),
        vec![
            package("colorama", "0.4.6"),
            package("filelock", "3.19.1"),
            package("filelock", "4.1.0"),
            httpx,
            package("pytest", "8.0.0"),
            package("socksio", "1.0.0"),
        ],
    );
    for p in &mut lock.packages {
        p.groups.clear();
    }
    let mut main = group("main", false, &["httpx"]);
    main.dependencies[0].extras = vec![ExtraName::new("socks".into()).unwrap()];
    let project = project(vec![main, group("dev", false, &["pytest"])]);

    let plan_311 = plan(
        &project,
        &lock,
        &target("3.11.7"),
        &selection(&[("only", "main")]),
        Policy::default(),
    )
    .unwrap();
    assert_eq!(
        names(&plan_311),
        ["filelock==4.1.0", "httpx==0.28.1", "socksio==1.0.0"]
    );
    let plan_39 = plan(
        &project,
        &lock,
        &target("3.9.18"),
        &selection(&[]),
        Policy::default(),
    )
    .unwrap();
    assert_eq!(
        names(&plan_39),
        [
            "filelock==3.19.1",
            "httpx==0.28.1",
            "pytest==8.0.0",
            "socksio==1.0.0"
        ]
    );
}

/// Locks ≤ 1.1 merge the files of every locked version of a name: the sdist planned is this
/// version's.
#[test]
fn sdist_only_package_plans_its_own_versions_sdist() {
    let mut docopt = package("docopt", "0.6.2");
    docopt.files = vec![
        wheel_file("docopt-0.6.1.tar.gz"),
        wheel_file("docopt-0.6.2.tar.gz"),
    ];
    let lock = lock((2, 1), vec![docopt]);
    let project = project(vec![group("main", false, &["docopt"])]);
    let plan = plan(
        &project,
        &lock,
        &target("3.11.7"),
        &selection(&[]),
        Policy::default(),
    )
    .unwrap();
    match &plan.packages[0].artifact {
        Artifact::Sdist { file, hash } => {
            assert_eq!(file, "docopt-0.6.2.tar.gz");
            assert!(hash.is_some());
        }
        other => panic!("{other:?}"),
    }
}

/// Directory, git, file and url sources become direct artifacts, paths resolved against the
/// project directory, `develop` turned off by `--no-editable`.
#[test]
fn direct_sources_are_planned_with_their_paths() {
    let mut from_git = package("fork", "1.0");
    from_git.files = vec![];
    from_git.develop = true;
    from_git.source = PackageSource::Git {
        url: "https://example.org/fork.git".into(),
        reference: "main".into(),
        resolved_reference: Some("abc123".into()),
        subdirectory: Some("sub".into()),
    };
    let mut local = package("local", "0.1");
    local.files = vec![];
    local.develop = true;
    local.source = PackageSource::Directory {
        url: "../libs/local".into(),
    };
    let mut archive = package("archive", "2.0");
    archive.files = vec![wheel_file("archive-2.0.tar.gz")];
    archive.source = PackageSource::File {
        url: "dist/archive-2.0.tar.gz".into(),
    };
    let mut remote = package("remote", "3.0");
    remote.files = vec![wheel_file("remote-3.0-py3-none-any.whl")];
    remote.source = PackageSource::Url {
        url: "https://example.org/remote-3.0-py3-none-any.whl".into(),
        subdirectory: None,
    };
    let lock = lock((2, 1), vec![archive, from_git, local, remote]);
    let mut project = project(vec![group(
        "main",
        false,
        &["archive", "fork", "local", "remote"],
    )]);
    project.root = std::path::PathBuf::from("/work/app");
    let planned = |policy| {
        plan(&project, &lock, &target("3.11.7"), &selection(&[]), policy)
            .unwrap()
            .packages
            .into_iter()
            .map(|p| (p.name.to_string(), p.artifact))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let editable = planned(Policy::default());
    assert_eq!(
        editable["fork"],
        Artifact::Direct(Direct::Git {
            url: "https://example.org/fork.git".into(),
            reference: "main".into(),
            commit: Some("abc123".into()),
            subdirectory: Some("sub".into()),
            editable: true,
        })
    );
    assert_eq!(
        editable["local"],
        Artifact::Direct(Direct::Directory {
            path: "/work/app/../libs/local".into(),
            editable: true,
        })
    );
    match &editable["archive"] {
        Artifact::Direct(Direct::File { path, file, hash }) => {
            assert_eq!(
                path,
                std::path::Path::new("/work/app/dist/archive-2.0.tar.gz")
            );
            assert_eq!(file, "archive-2.0.tar.gz");
            assert!(hash.is_some());
        }
        other => panic!("{other:?}"),
    }
    assert!(editable["archive"].needs_build());
    assert!(!editable["remote"].needs_build());
    let wheels = planned(Policy {
        no_editable: true,
        ..Policy::default()
    });
    assert!(matches!(
        wheels["local"],
        Artifact::Direct(Direct::Directory {
            editable: false,
            ..
        })
    ));
}
