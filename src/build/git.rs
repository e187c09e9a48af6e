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
    // Lock values go on git's command line: one that looks like an option is refused.
    if url.starts_with('-') || revision.starts_with('-') {
        return Err(GitError::Failed {
            action: "checkout".to_string(),
            url: display_url(url),
            output: format!("refusing the revision `{revision}` or URL: it starts with `-`"),
        });
    }
    fs_err::create_dir_all(dest).map_err(|e| GitError::Failed {
        action: "checkout".to_string(),
        url: display_url(url),
        output: e.to_string(),
    })?;
    git(dest, url, "init", &["init", "-q"])?;
    // A remote named origin, so that relative submodule URLs resolve against it.
    git(dest, url, "remote add", &["remote", "add", "origin", url])?;
    // A shallow fetch of exactly the commit is cheapest, but not every server allows fetching
    // an unadvertised commit: then fetch every branch and tag and look for it there.
    let shallow = git(
        dest,
        url,
        "fetch",
        &["fetch", "-q", "--depth", "1", "origin", revision],
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
                "origin",
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
                url: display_url(url),
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

/// The variables that point git at a repository (`git rev-parse --local-env-vars`): set by
/// git hooks and `rebase -x`, they would make every command here work on the user's own
/// repository instead of the checkout.
const REPOSITORY_VARIABLES: &[&str] = &[
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_CONFIG",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
    "GIT_OBJECT_DIRECTORY",
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_IMPLICIT_WORK_TREE",
    "GIT_GRAFT_FILE",
    "GIT_INDEX_FILE",
    "GIT_NO_REPLACE_OBJECTS",
    "GIT_REPLACE_REF_BASE",
    "GIT_PREFIX",
    "GIT_SHALLOW_FILE",
    "GIT_COMMON_DIR",
];

fn git(dir: &Path, url: &str, action: &str, args: &[&str]) -> Result<String, GitError> {
    let mut command = Command::new("git");
    command
        .args(args)
        .current_dir(dir)
        // Never wait for a password on a terminal nobody watches (CI, Docker builds).
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(Stdio::null());
    for variable in REPOSITORY_VARIABLES {
        command.env_remove(variable);
    }
    // ssh asks for host keys and passphrases on the terminal, not through git's prompt.
    if std::env::var_os("GIT_SSH_COMMAND").is_none() && std::env::var_os("GIT_SSH").is_none() {
        command.env("GIT_SSH_COMMAND", "ssh -o BatchMode=yes");
    }
    let output = command.output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            GitError::Missing {
                url: display_url(url),
            }
        } else {
            GitError::Spawn(e)
        }
    })?;
    if !output.status.success() {
        let text = String::from_utf8_lossy(&output.stderr).trim().to_string();
        return Err(GitError::Failed {
            action: action.to_string(),
            url: display_url(url),
            output: text,
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The directory Poetry checks a repository out into (under `<venv>/src`): the URL's last
/// path segment without `.git` (its rule, `re.sub(r"(.git)?$", "", last)`, kept as is), or
/// `fallback` when that is not a plain directory name.
pub fn checkout_dir_name(url: &str, fallback: &str) -> String {
    let last = url.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    let name = match last.len() {
        n if n >= 4 && last.ends_with("git") && last.is_char_boundary(n - 4) => &last[..n - 4],
        _ => last,
    };
    let plain =
        !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\', ':', '\0']);
    if plain {
        name.to_string()
    } else {
        fallback.to_string()
    }
}

/// `url` for messages: credentials in it are left out.
pub fn display_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(parsed) => crate::http::redact(&parsed),
        Err(_) => url.to_string(),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkout_directories_are_named_like_poetry_names_them() {
        assert_eq!(
            checkout_dir_name("https://github.com/o/forked.git", "pkg"),
            "forked"
        );
        assert_eq!(
            checkout_dir_name("file:///tmp/repos/forked/", "pkg"),
            "forked"
        );
        assert_eq!(
            checkout_dir_name("git@github.com:o/repo.git", "pkg"),
            "repo"
        );
        // Poetry's `(.git)?$` takes any character before `git`.
        assert_eq!(checkout_dir_name("https://h/o/mygit", "pkg"), "m");
        assert_eq!(checkout_dir_name("https://h/o/..", "pkg"), "pkg");
        assert_eq!(checkout_dir_name("", "pkg"), "pkg");
    }
}
