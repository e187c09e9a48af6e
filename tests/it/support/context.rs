//! `TestContext`: one hermetic sandbox per test, and the assertions that read like sentences.
//!
//! The sandbox is a temp dir with its own HOME, XDG_CACHE_HOME and VERSE_CACHE_DIR, a `project/`
//! directory, and an environment scrubbed of VIRTUAL_ENV and every inherited `VERSE_*`
//! variable. `verse` runs there as `env!("CARGO_BIN_EXE_verse")`; its output is captured with
//! the sandbox path, ports and timings replaced by `[TEMP]`, `[PORT]` and `[TIME]`, so tests
//! compare stable text.
//!
//! It does not build projects or serve packages: see `project.rs`, `wheel.rs`, `index.rs`.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::index::IndexServer;
use super::project::Project;

pub struct TestContext {
    root: tempfile::TempDir,
    /// `<root>` canonicalized, for filtering.
    root_path: PathBuf,
}

impl Default for TestContext {
    fn default() -> Self {
        Self::new()
    }
}

impl TestContext {
    pub fn new() -> Self {
        let root = tempfile::Builder::new()
            .prefix("verse-it-")
            .tempdir()
            .expect("creating a temp dir");
        let root_path = fs::canonicalize(root.path()).expect("canonicalizing the temp dir");
        for dir in ["home", "cache", "xdg-cache", "project", "wheels"] {
            fs::create_dir_all(root_path.join(dir)).expect("creating sandbox dirs");
        }
        TestContext { root, root_path }
    }

    pub fn root(&self) -> &Path {
        &self.root_path
    }

    /// The default project directory, `<root>/project`.
    pub fn project_dir(&self) -> PathBuf {
        self.root_path.join("project")
    }

    /// Where tests build their wheels, `<root>/wheels`.
    pub fn wheels_dir(&self) -> PathBuf {
        self.root_path.join("wheels")
    }

    /// The cache verse uses unless told otherwise (`VERSE_CACHE_DIR`).
    pub fn cache_dir(&self) -> PathBuf {
        self.root_path.join("cache")
    }

    /// `XDG_CACHE_HOME` in the sandbox (verse's cache lives here when `VERSE_CACHE_DIR` is
    /// removed from its environment).
    pub fn xdg_cache_home(&self) -> PathBuf {
        self.root_path.join("xdg-cache")
    }

    /// The venv verse creates by default: `<project>/.venv`.
    pub fn venv(&self) -> PathBuf {
        self.project_dir().join(".venv")
    }

    /// A project writer for `<root>/project`.
    pub fn project(&self) -> Project {
        Project::new(&self.project_dir())
    }

    /// `verse <args>` in the project directory, with the sandbox environment.
    pub fn verse(&self) -> Cmd<'_> {
        let mut command = Command::new(env!("CARGO_BIN_EXE_verse"));
        command.current_dir(self.project_dir());
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("VERSE_") {
                command.env_remove(&key);
            }
        }
        command
            .env_remove("VIRTUAL_ENV")
            .env_remove("PYTHONHOME")
            .env_remove("PYTHONPATH")
            .env_remove("PIP_INDEX_URL")
            .env("HOME", self.root_path.join("home"))
            .env("XDG_CACHE_HOME", self.xdg_cache_home())
            .env("VERSE_CACHE_DIR", self.cache_dir())
            .env("NO_COLOR", "1");
        Cmd {
            context: self,
            command,
        }
    }

    /// `verse install --index-url <server>` in the project directory.
    pub fn install(&self, server: &IndexServer) -> Cmd<'_> {
        self.verse()
            .arg("install")
            .arg("--index-url")
            .arg(server.url())
    }

    /// Runs the venv's python with these arguments.
    pub fn venv_python(&self, args: &[&str]) -> Output {
        self.python_in(&self.venv(), args)
    }

    /// Runs `<venv>/bin/python` with these arguments.
    pub fn python_in(&self, venv: &Path, args: &[&str]) -> Output {
        let python = venv.join("bin").join("python");
        let mut command = Command::new(&python);
        command
            .args(args)
            .current_dir(self.root())
            .env_remove("PYTHONPATH")
            .env_remove("PYTHONHOME")
            .env("HOME", self.root_path.join("home"));
        self.run_command(command, &format!("{} {}", python.display(), args.join(" ")))
    }

    /// Runs an executable from the venv's `bin/`.
    pub fn venv_bin(&self, name: &str, args: &[&str]) -> Output {
        let program = self.venv().join("bin").join(name);
        let mut command = Command::new(&program);
        command
            .args(args)
            .current_dir(self.root())
            .env("HOME", self.root_path.join("home"));
        self.run_command(
            command,
            &format!("{} {}", program.display(), args.join(" ")),
        )
    }

    /// The default venv's site-packages directory (`lib/python3.X/site-packages`).
    pub fn site_packages(&self) -> PathBuf {
        site_packages(&self.venv())
    }

    /// `name==version` of every distribution in the default venv (normalized names, sorted),
    /// read from the `*.dist-info` directories. Empty when there is no venv.
    pub fn installed(&self) -> Vec<String> {
        installed_in(&self.venv())
    }

    /// The RECORD rows of an installed distribution: (path, hash, size).
    pub fn record(&self, name: &str) -> Vec<(String, String, String)> {
        let dist_info = self.dist_info(name);
        let text = read(&dist_info.join("RECORD"));
        text.lines()
            .filter(|l| !l.is_empty())
            .map(|line| {
                let fields = split_csv(line);
                let get = |i: usize| fields.get(i).cloned().unwrap_or_default();
                (get(0), get(1), get(2))
            })
            .collect()
    }

    /// The `.dist-info` directory of an installed distribution (by normalized name).
    pub fn dist_info(&self, name: &str) -> PathBuf {
        let wanted = verse::packaging::normalize(name);
        let site = self.site_packages();
        list_dist_infos(&site)
            .into_iter()
            .find(|(n, _, _)| *n == wanted)
            .map(|(_, _, path)| path)
            .unwrap_or_else(|| panic!("{name} is not installed in {}", site.display()))
    }

    /// Replaces the sandbox path, ports and durations in `text`.
    pub fn filter(&self, text: &str) -> String {
        let mut text = text.replace(&self.root_path.display().to_string(), "[TEMP]");
        let raw_root = self.root.path().display().to_string();
        if raw_root != self.root_path.display().to_string() {
            text = text.replace(&raw_root, "[TEMP]");
        }
        filter_ports_and_times(&text)
    }

    fn run_command(&self, mut command: Command, shown: &str) -> Output {
        let output = command
            .output()
            .unwrap_or_else(|e| panic!("running {shown}: {e}"));
        Output {
            shown: self.filter(shown),
            code: output.status.code(),
            stdout: self.filter(&String::from_utf8_lossy(&output.stdout)),
            stderr: self.filter(&String::from_utf8_lossy(&output.stderr)),
        }
    }
}

/// A `verse` command being put together.
pub struct Cmd<'a> {
    context: &'a TestContext,
    command: Command,
}

impl Cmd<'_> {
    /// Starts the command without waiting (output discarded), for tests that interrupt it.
    pub fn spawn(mut self) -> std::process::Child {
        self.command
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("starting verse")
    }

    pub fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.command.arg(arg.into());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        for arg in args {
            self.command.arg(arg.into());
        }
        self
    }

    pub fn env(mut self, key: &str, value: impl Into<OsString>) -> Self {
        self.command.env(key, value.into());
        self
    }

    pub fn env_remove(mut self, key: &str) -> Self {
        self.command.env_remove(key);
        self
    }

    pub fn current_dir(mut self, dir: &Path) -> Self {
        self.command.current_dir(dir);
        self
    }

    pub fn run(self) -> Output {
        let args: Vec<String> = self
            .command
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let shown = format!("verse {}", args.join(" "));
        self.context.run_command(self.command, &shown)
    }
}

/// What a command did, with filtered output. Assertions panic with the whole output.
#[derive(Clone, Debug)]
pub struct Output {
    pub shown: String,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    fn fail(&self, what: &str) -> ! {
        panic!(
            "{what}\n--- command: {}\n--- exit code: {:?}\n--- stdout:\n{}\n--- stderr:\n{}",
            self.shown, self.code, self.stdout, self.stderr
        )
    }

    /// Exit code 0.
    pub fn success(&self) -> &Self {
        if self.code != Some(0) {
            self.fail("expected success");
        }
        self
    }

    /// This exit code (1: user or input error, 2: any other failure).
    pub fn exit_code(&self, code: i32) -> &Self {
        if self.code != Some(code) {
            self.fail(&format!("expected exit code {code}"));
        }
        self
    }

    /// Any non-zero exit code (where the contract does not say which).
    pub fn fails(&self) -> &Self {
        if self.code == Some(0) || self.code.is_none() {
            self.fail("expected a non-zero exit code");
        }
        self
    }

    /// Exit code 1: the user's input (flags, pyproject, lock) is at fault.
    pub fn user_error(&self) -> &Self {
        self.exit_code(1)
    }

    /// Exit code 2: anything else failed (network, hash, disk).
    pub fn failure(&self) -> &Self {
        self.exit_code(2)
    }

    pub fn stderr_has(&self, needle: &str) -> &Self {
        if !self.stderr.contains(needle) {
            self.fail(&format!("expected stderr to contain {needle:?}"));
        }
        self
    }

    pub fn stderr_lacks(&self, needle: &str) -> &Self {
        if self.stderr.contains(needle) {
            self.fail(&format!("expected stderr not to contain {needle:?}"));
        }
        self
    }

    pub fn stdout_has(&self, needle: &str) -> &Self {
        if !self.stdout.contains(needle) {
            self.fail(&format!("expected stdout to contain {needle:?}"));
        }
        self
    }

    /// stdout or stderr contains `needle` (for output whose stream the contract leaves open).
    pub fn output_has(&self, needle: &str) -> &Self {
        if !self.stdout.contains(needle) && !self.stderr.contains(needle) {
            self.fail(&format!("expected the output to contain {needle:?}"));
        }
        self
    }

    pub fn stdout_is(&self, expected: &str) -> &Self {
        if self.stdout != expected {
            self.fail(&format!("expected stdout to be exactly {expected:?}"));
        }
        self
    }

    /// stderr reports an error (a line starting with `error: `) and the report, from that line
    /// on (its `Caused by:` chain and `hint:`), names `needle`.
    pub fn error_has(&self, needle: &str) -> &Self {
        let start = if self.stderr.starts_with("error: ") {
            Some(0)
        } else {
            self.stderr.find("\nerror: ")
        };
        match start {
            Some(start) if self.stderr[start..].contains(needle) => self,
            Some(_) => self.fail(&format!("expected the error report to name {needle:?}")),
            None => self.fail("expected a line starting with `error: `"),
        }
    }

    /// The first line of the error report (`error: ...`) itself contains `needle`.
    pub fn error_line_has(&self, needle: &str) -> &Self {
        match self.stderr.lines().find(|l| l.starts_with("error: ")) {
            Some(line) if line.contains(needle) => self,
            Some(_) => self.fail(&format!("expected the error line to contain {needle:?}")),
            None => self.fail("expected a line starting with `error: `"),
        }
    }

    /// The `+ name==version` lines of stderr, in order.
    pub fn added(&self) -> Vec<String> {
        self.stderr
            .lines()
            .filter_map(|l| l.trim_start().strip_prefix("+ "))
            .map(|l| l.trim().to_string())
            .collect()
    }

    /// stderr lists exactly these `+ name==version` lines, in this (sorted) order.
    pub fn added_exactly(&self, expected: &[&str]) -> &Self {
        let added = self.added();
        if added != expected {
            self.fail(&format!("expected `+` lines {expected:?}, got {added:?}"));
        }
        self
    }

    /// stderr says `Installed <n> package(s) in [TIME]`.
    pub fn installed_count(&self, n: usize) -> &Self {
        let noun = if n == 1 { "package" } else { "packages" };
        self.stderr_has(&format!("Installed {n} {noun} in [TIME]"))
    }
}

/// `lib/python3.X/site-packages` of a venv (the only python3.* directory under `lib/`).
pub fn site_packages(venv: &Path) -> PathBuf {
    let lib = venv.join("lib");
    let entries = fs::read_dir(&lib).unwrap_or_else(|e| panic!("reading {}: {e}", lib.display()));
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("python") {
            return entry.path().join("site-packages");
        }
    }
    panic!("no python3.X directory in {}", lib.display())
}

/// `name==version` for each dist-info in the venv's site-packages, sorted; empty if no venv.
pub fn installed_in(venv: &Path) -> Vec<String> {
    if !venv.join("lib").is_dir() {
        return Vec::new();
    }
    let mut installed: Vec<String> = list_dist_infos(&site_packages(venv))
        .into_iter()
        .map(|(name, version, _)| format!("{name}=={version}"))
        .collect();
    installed.sort();
    installed
}

/// (normalized name, version, path) of every `*.dist-info` directory in `site`.
fn list_dist_infos(site: &Path) -> Vec<(String, String, PathBuf)> {
    let Ok(entries) = fs::read_dir(site) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some(stem) = file_name.strip_suffix(".dist-info") else {
            continue;
        };
        // Read the name from METADATA: the directory name is escaped and may be lossy.
        let metadata = fs::read_to_string(entry.path().join("METADATA")).unwrap_or_default();
        let field = |key: &str| {
            metadata
                .lines()
                .find_map(|l| l.strip_prefix(key).map(|v| v.trim().to_string()))
        };
        let (dir_name, dir_version) = stem.split_once('-').unwrap_or((stem, ""));
        let name = field("Name:").unwrap_or_else(|| dir_name.to_string());
        let version = field("Version:").unwrap_or_else(|| dir_version.to_string());
        found.push((verse::packaging::normalize(&name), version, entry.path()));
    }
    found
}

/// Every file under `dir`, relative, sorted (for "nothing changed" comparisons).
pub fn tree(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false);
            if is_dir {
                walk(base, &path, out);
            } else if let Ok(relative) = path.strip_prefix(base) {
                out.push(relative.display().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Modification times of every file under `dir`, to prove a re-run left them alone.
pub fn mtimes(dir: &Path) -> BTreeMap<String, std::time::SystemTime> {
    tree(dir)
        .into_iter()
        .filter_map(|relative| {
            let modified = fs::symlink_metadata(dir.join(&relative))
                .and_then(|m| m.modified())
                .ok()?;
            Some((relative, modified))
        })
        .collect()
}

pub fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// A real interpreter of this minor version from pyenv, if the machine has one.
pub fn pyenv_python(minor: &str) -> Option<PathBuf> {
    let versions = Path::new("/root/.pyenv/versions");
    let mut candidates: Vec<PathBuf> = fs::read_dir(versions)
        .ok()?
        .flatten()
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name == minor || name.starts_with(&format!("{minor}."))
        })
        .map(|e| e.path().join("bin").join("python3"))
        .filter(|p| p.exists())
        .collect();
    candidates.sort();
    candidates.pop()
}

fn split_csv(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    fields.push(field);
    fields
}

/// `127.0.0.1:43123` -> `127.0.0.1:[PORT]`; `in 1.23s` / `in 120ms` -> `in [TIME]`.
fn filter_ports_and_times(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("127.0.0.1:") {
        let (before, after) = rest.split_at(i + "127.0.0.1:".len());
        out.push_str(before);
        let digits = after.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 {
            out.push_str("[PORT]");
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
    filter_times(&out)
}

fn filter_times(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(" in ") {
        let (before, after) = rest.split_at(i + " in ".len());
        out.push_str(before);
        let number = after
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .count();
        let unit = ["ms", "µs", "s", "m"]
            .iter()
            .find(|u| number > 0 && after[number..].starts_with(*u));
        match unit {
            Some(unit) => {
                out.push_str("[TIME]");
                rest = &after[number + unit.len()..];
            }
            None => rest = after,
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_ports_and_durations() {
        assert_eq!(
            filter_ports_and_times(
                "GET http://127.0.0.1:4312/simple/ in 0.25s, Installed 2 packages in 120ms"
            ),
            "GET http://127.0.0.1:[PORT]/simple/ in [TIME], Installed 2 packages in [TIME]"
        );
        assert_eq!(filter_ports_and_times("kept in place"), "kept in place");
    }

    #[test]
    fn splits_quoted_csv() {
        assert_eq!(
            split_csv("\"a,b.py\",sha256=x,3"),
            vec![
                "a,b.py".to_string(),
                "sha256=x".to_string(),
                "3".to_string()
            ]
        );
    }
}
