//! `verse tree`: the graph of what would be installed on this interpreter, and nothing else.

use crate::install::wheel;
use crate::support::*;

#[test]
fn tree_draws_only_what_this_interpreter_installs() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let beta = wheel(&context, "beta", "2.0.0");
    let shared = wheel(&context, "shared", "3.0.0");
    let winonly = wheel(&context, "winonly", "1.0.0");
    let devtool = wheel(&context, "devtool", "0.3.0");
    let docs = wheel(&context, "docs-tool", "5.0.0");
    context
        .project()
        .pyproject(
            Pyproject::new(Style::Poetry)
                .dep(Dep::new("alpha", "^1.0"))
                .group_dep("dev", Dep::new("devtool", "*"))
                .optional_group("docs")
                .group_dep("docs", Dep::new("docs-tool", "*")),
        )
        .lock(
            Lockfile::new(LockFormat::V2_1)
                .package(
                    Locked::of(&alpha)
                        .depends("beta", ">=2")
                        .depends("shared", "*")
                        .depends_raw(
                            "winonly",
                            r#"{version = "*", markers = "sys_platform == \"win32\""}"#,
                        ),
                )
                .package(Locked::of(&beta).depends("shared", ">=3"))
                .package(Locked::of(&shared))
                .package(Locked::of(&winonly).markers("sys_platform == \"win32\""))
                .package(Locked::of(&devtool).groups(&["dev"]).depends("shared", "*"))
                .package(Locked::of(&docs).groups(&["docs"])),
        )
        .write();

    let output = context.verse().args(["tree", "--no-root"]).run();

    output.success().stdout_is(
        "alpha 1.0.0\n\
         ├── beta >=2 → 2.0.0\n\
         │   └── shared >=3 → 3.0.0\n\
         └── shared * → 3.0.0 (*)\n\
         devtool 0.3.0\n\
         └── shared * → 3.0.0 (*)\n",
    );

    let with_docs = context
        .verse()
        .args(["tree", "--no-root", "--only", "docs"])
        .run();
    with_docs.success().stdout_is("docs-tool 5.0.0\n");
}

/// The `Would skip` lines of a dry run, with the interpreter description cut off (it names
/// the exact micro version of the machine's python3).
fn skip_lines(output: &Output) -> Vec<String> {
    output
        .stdout
        .split("Would skip")
        .nth(1)
        .unwrap_or("")
        .lines()
        .skip(1)
        .map(|l| match l.find(" (Python 3.") {
            Some(at) => l[..at].to_string(),
            None => l.to_string(),
        })
        .collect()
}

#[test]
fn dry_run_says_why_each_package_of_an_old_lock_is_left_out() {
    let context = TestContext::new();
    let project = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/poetry/1.8.5_classic");
    // The reasons below are those of a Python 3.11 target.
    let python = pyenv_python("3.11").expect("pyenv has a Python 3.11");
    let output = context
        .verse()
        .args(["install", "--dry-run", "--no-root", "--python"])
        .arg(&python)
        .arg("--venv")
        .arg(context.root().join("venv"))
        .arg("--project")
        .arg(&project)
        .run();
    output.success();
    assert_eq!(
        skip_lines(&output),
        [
            "  - attrs==22.2.0: another version of it, 26.1.0, is selected",
            "  - colorama==0.4.6: the project requires it only when `sys_platform == 'win32'`, which is false for this interpreter",
            "  - exceptiongroup==1.3.2: anyio 4.12.1 requires it only when `python_version < \"3.11\"`, which is false for this interpreter",
            "  - six==1.17.0: optional: no requested extra of the project needs it",
            "  - tomli-w==1.2.0: optional: no requested extra of the project needs it",
        ]
    );
}

#[test]
fn dry_run_names_the_extra_a_lock_2_1_package_waits_for() {
    let context = TestContext::new();
    let project = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/poetry/2.5.1_classic");
    let output = context
        .verse()
        .args([
            "install",
            "--dry-run",
            "--no-root",
            "--only",
            "main",
            "--venv",
        ])
        .arg(context.root().join("venv"))
        .arg("--project")
        .arg(&project)
        .run();
    output.success();
    let lines = skip_lines(&output);
    assert!(lines.contains(&"  - tomli-w==1.2.0: optional: needs the extra write (-E), which is not requested (`extra == \"write\"`)".to_string()), "{lines:#?}");
    assert!(lines.contains(&"  - six==1.17.0: optional: needs the extra compat (-E), which is not requested (`extra == \"compat\" and platform_python_implementation == \"CPython\"`)".to_string()), "{lines:#?}");
    assert!(
        lines.contains(
            &"  - iniconfig==2.1.0: only in group dev, which is not selected".to_string()
        ),
        "{lines:#?}"
    );
}
