//! Command-line conventions: `--version` with build info, suggestions for mistyped commands
//! and flags, `--color`/`NO_COLOR`/`VERSE_COLOR`, shell completions.

use crate::support::context::Cmd;
use crate::support::*;

#[test]
fn version_names_the_commit_target_and_profile() {
    let context = TestContext::new();
    let long = context.verse().arg("--version").run();
    long.success();
    let lines: Vec<&str> = long.stdout.lines().collect();
    assert_eq!(lines[0], format!("verse {}", env!("CARGO_PKG_VERSION")));
    assert!(lines[1].starts_with("commit: "), "{}", long.stdout);
    assert_eq!(lines[2], format!("target: {}", target_triple()));
    assert!(lines[3].starts_with("profile: "), "{}", long.stdout);

    let short = context.verse().arg("-V").run();
    short.success();
    assert!(
        short
            .stdout
            .starts_with(&format!("verse {} (", env!("CARGO_PKG_VERSION"))),
        "{}",
        short.stdout
    );
    assert_eq!(short.stdout.lines().count(), 1);
}

/// The host triple of the test build (what a plain `cargo build` targets).
fn target_triple() -> String {
    let output = std::process::Command::new("rustc")
        .arg("-vV")
        .output()
        .expect("rustc runs");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_string))
        .expect("rustc -vV names the host")
}

#[test]
fn mistyped_commands_and_flags_get_a_suggestion() {
    let context = TestContext::new();
    context
        .verse()
        .arg("instal")
        .run()
        .user_error()
        .stderr_has("a similar subcommand exists: 'install'");
    context
        .verse()
        .args(["install", "--dry-runn"])
        .run()
        .user_error()
        .stderr_has("a similar argument exists: '--dry-run'");
    context
        .verse()
        .args(["export", "--without-hash"])
        .run()
        .user_error()
        .stderr_has("a similar argument exists: '--without-hashes'");
}

#[test]
fn color_follows_the_flag_then_no_color() {
    let context = TestContext::new();
    // No project here: every run ends in the same error.
    let error = |cmd: Cmd<'_>| cmd.arg("install").arg("--dry-run").run();
    let red = "\u{1b}[1;31merror:";

    // The sandbox sets NO_COLOR and stderr is a pipe: auto means no color.
    let auto = error(context.verse());
    auto.user_error();
    assert!(!auto.stderr.contains('\u{1b}'), "{}", auto.stderr);

    let always = error(context.verse().args(["--color", "always"]));
    assert!(always.stderr.starts_with(red), "{:?}", always.stderr);

    let by_variable = error(context.verse().env("VERSE_COLOR", "always"));
    assert!(
        by_variable.stderr.starts_with(red),
        "{:?}",
        by_variable.stderr
    );

    let never = error(
        context
            .verse()
            .env_remove("NO_COLOR")
            .args(["--color", "never"]),
    );
    assert!(!never.stderr.contains('\u{1b}'), "{}", never.stderr);

    context
        .verse()
        .args(["--color", "sometimes", "install"])
        .run()
        .user_error()
        .stderr_has("possible values: auto, always, never");
}

#[test]
fn completions_for_bash_zsh_and_fish() {
    let context = TestContext::new();
    for shell in ["bash", "zsh", "fish"] {
        let output = context.verse().args(["completions", shell]).run();
        output.success();
        // fish spells long flags `-l dry-run`.
        for word in ["install", "export", "tree", "dry-run", "without-hashes"] {
            assert!(
                output.stdout.contains(word),
                "the {shell} script completes {word}"
            );
        }
        if shell == "bash" {
            let script = context.root().join("verse.bash");
            std::fs::write(&script, &output.stdout).unwrap();
            let check = std::process::Command::new("bash")
                .arg("-n")
                .arg(&script)
                .output()
                .expect("bash runs");
            assert!(
                check.status.success(),
                "bash -n: {}",
                String::from_utf8_lossy(&check.stderr)
            );
        }
    }
    context
        .verse()
        .args(["completions", "tcsh"])
        .run()
        .user_error()
        .stderr_has("possible values: bash, zsh, fish");
}
