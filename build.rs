//! Build information for `verse --version`: the git commit and its date (not the build's
//! date, so two builds of one commit print the same), the target triple and the profile.
//! Without git (a source tarball, a Docker build context without `.git`) the commit is
//! `unknown`; `VERSE_BUILD_COMMIT` / `VERSE_BUILD_DATE` set at build time override both.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).output().ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?.trim().to_string();
    (!text.is_empty()).then_some(text)
}

fn main() {
    println!("cargo:rerun-if-env-changed=VERSE_BUILD_COMMIT");
    println!("cargo:rerun-if-env-changed=VERSE_BUILD_DATE");
    // Rebuild the version text when HEAD moves (a worktree's HEAD lives in its own git dir,
    // the branch refs in the common one).
    if let Some(dir) = git(&["rev-parse", "--git-dir"]) {
        println!("cargo:rerun-if-changed={dir}/HEAD");
    }
    if let (Some(common), Some(head_ref)) = (
        git(&["rev-parse", "--git-common-dir"]),
        git(&["symbolic-ref", "-q", "HEAD"]),
    ) {
        // A path that does not exist makes cargo rebuild every time, so only existing ones
        // are watched. A branch that lives only in packed-refs gets a loose file on its next
        // commit: the nearest existing directory above it (cargo scans directories
        // recursively) catches that, even for `feature/x` whose `feature/` is not there yet.
        // A reftable repository keeps every ref in `reftable/`, rewritten on each update.
        let common = std::path::Path::new(&common);
        let loose = common.join(&head_ref);
        let nearest_dir = loose
            .ancestors()
            .skip(1)
            .take_while(|dir| dir.starts_with(common))
            .find(|dir| dir.is_dir())
            .map(|dir| dir.to_path_buf());
        let watched = [
            Some(loose.clone()),
            nearest_dir,
            Some(common.join("packed-refs")),
            Some(common.join("reftable")),
        ];
        for path in watched.iter().flatten().filter(|p| p.exists()) {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }

    let commit = std::env::var("VERSE_BUILD_COMMIT")
        .ok()
        .filter(|c| !c.is_empty())
        .or_else(|| git(&["rev-parse", "--short=9", "HEAD"]))
        .unwrap_or_else(|| "unknown".to_string());
    let date = std::env::var("VERSE_BUILD_DATE")
        .ok()
        .filter(|d| !d.is_empty())
        .or_else(|| git(&["log", "-1", "--format=%cs", "HEAD"]))
        .unwrap_or_else(|| "unknown".to_string());
    let target = std::env::var("TARGET").unwrap_or_else(|_| "unknown".to_string());
    let profile = std::env::var("PROFILE").unwrap_or_else(|_| "unknown".to_string());
    println!("cargo:rustc-env=VERSE_BUILD_COMMIT={commit}");
    println!("cargo:rustc-env=VERSE_BUILD_DATE={date}");
    println!("cargo:rustc-env=VERSE_BUILD_TARGET={target}");
    println!("cargo:rustc-env=VERSE_BUILD_PROFILE={profile}");
}
