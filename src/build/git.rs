//! Checks out one commit of a git repository with the `git` command line (so the user's
//! credential helpers, SSH keys and proxies work as they do for Poetry).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("the `git` command is not installed (needed to check out {url})")]
    Missing { url: String },
    #[error("cannot run git")]
    Spawn(#[source] std::io::Error),
    #[error("git {action} failed for {url}: {output}")]
    Failed {
        action: String,
        url: String,
        output: String,
    },
    #[error("{url} has no commit `{revision}` (the lock's resolved_reference)")]
    NoSuchCommit { url: String, revision: String },
}

/// Checks out `revision` (a full commit id, or for old locks a branch or tag) of `url` into
/// the new directory `dest`, with its submodules.
pub fn checkout(url: &str, revision: &str, dest: &Path) -> Result<(), GitError> {
    fs_err::create_dir_all(dest).map_err(GitError::Spawn)?;
    git(dest, url, "init", &["init", "-q"])?;
    // A shallow fetch of exactly the commit is cheapest, but not every server allows fetching
    // an unadvertised commit: then fetch every branch and tag and look for it there.
    let shallow = git(
        dest,
        url,
        "fetch",
        &["fetch", "-q", "--depth", "1", url, revision],
    );
    let target = if shallow.is_ok() {
        "FETCH_HEAD".to_string()
    } else {
        git(
            dest,
            url,
            "fetch",
            &[
                "fetch",
                "-q",
                "--tags",
                url,
                "+refs/heads/*:refs/remotes/origin/*",
            ],
        )?;
        let candidates = [
            revision.to_string(),
            format!("origin/{revision}"),
            format!("refs/tags/{revision}"),
        ];
        candidates
            .into_iter()
            .find(|candidate| {
                git(
                    dest,
                    url,
                    "rev-parse",
                    &[
                        "rev-parse",
                        "-q",
                        "--verify",
                        &format!("{candidate}^{{commit}}"),
                    ],
                )
                .is_ok()
            })
            .ok_or_else(|| GitError::NoSuchCommit {
                url: url.to_string(),
                revision: revision.to_string(),
            })?
    };
    git(
        dest,
        url,
        "checkout",
        &["checkout", "-q", "--detach", &target],
    )?;
    if dest.join(".gitmodules").is_file() {
        git(
            dest,
            url,
            "submodule update",
            &["submodule", "update", "-q", "--init", "--recursive"],
        )?;
    }
    Ok(())
}

/// The commit checked out in `dir`.
pub fn head(dir: &Path, url: &str) -> Result<String, GitError> {
    git(dir, url, "rev-parse", &["rev-parse", "HEAD"]).map(|out| out.trim().to_string())
}

fn git(dir: &Path, url: &str, action: &str, args: &[&str]) -> Result<String, GitError> {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        // Never wait for a password on a terminal nobody watches (CI, Docker builds).
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                GitError::Missing {
                    url: url.to_string(),
                }
            } else {
                GitError::Spawn(e)
            }
        })?;
    if !output.status.success() {
        let text = String::from_utf8_lossy(&output.stderr).trim().to_string();
        return Err(GitError::Failed {
            action: action.to_string(),
            url: url.to_string(),
            output: text,
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// A directory name for a checkout of `url` at `revision` (for caches): safe characters only.
pub fn checkout_key(url: &str, revision: &str, subdirectory: Option<&str>) -> PathBuf {
    use sha2::Digest;
    let mut hasher = sha2::Sha256::new();
    hasher.update(url.as_bytes());
    hasher.update([0]);
    hasher.update(revision.as_bytes());
    hasher.update([0]);
    hasher.update(subdirectory.unwrap_or("").as_bytes());
    let digest = hasher.finalize();
    PathBuf::from(
        digest
            .iter()
            .take(16)
            .map(|b| format!("{b:02x}"))
            .collect::<String>(),
    )
}
