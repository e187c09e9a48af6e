//! The `--json` documents of `verse install` (and `--dry-run`, and `sync`) and `verse download`:
//! one JSON object on stdout, while the human logs stay on stderr.
//!
//! The field names and the `action` words are a contract (README "JSON output"): a field may
//! be added within a schema version, never renamed or removed; anything else bumps the
//! version in `schema` (`verse.install/1`, `verse.download/1`). This module only shapes and
//! prints the documents; `run` gathers the facts.

use std::time::Duration;

use serde::Serialize;

/// The `schema` value of the install document.
pub const INSTALL_SCHEMA: &str = "verse.install/1";
/// The `schema` value of `verse check --json` (its fields are in `run::check::Report`).
pub const CHECK_SCHEMA: &str = "verse.check/1";
/// The `schema` value of the download document.
pub const DOWNLOAD_SCHEMA: &str = "verse.download/1";

/// `verse install --json` / `verse install --dry-run --json` / `verse sync --json`.
#[derive(Debug, Serialize)]
pub struct InstallReport {
    pub schema: &'static str,
    /// True when nothing was changed and `action` says what would happen.
    pub dry_run: bool,
    pub venv: String,
    pub python: Python,
    /// The groups and root extras in effect.
    pub groups: Vec<String>,
    pub extras: Vec<String>,
    /// Every locked package (selected or not), sorted by name, then anything removed.
    pub packages: Vec<PackageEntry>,
    pub timings: Timings,
}

#[derive(Debug, Serialize)]
pub struct Python {
    pub version: String,
    pub executable: String,
    pub sys_platform: String,
    pub platform_machine: String,
}

#[derive(Debug, Serialize)]
pub struct PackageEntry {
    pub name: String,
    pub version: String,
    /// `installed`, `unchanged`, `removed` or `skipped`.
    pub action: &'static str,
    /// For `installed`: the version it replaced, if another was there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaced: Option<String>,
    /// The wheel's file name (null for the project itself and for skipped packages).
    pub file: Option<String>,
    /// The index it comes from: a URL, or `source NAME` for a pyproject.toml source.
    pub source: Option<String>,
    /// The sha256 the file was verified against (null when the lock has none).
    pub sha256: Option<String>,
    /// Why it is installed (its groups) or skipped (group, marker, extra).
    pub reason: String,
    /// A direct dependency of the project (pip's REQUESTED).
    pub requested: bool,
    /// The project itself, installed editable.
    pub editable: bool,
}

/// Seconds, with millisecond precision.
#[derive(Debug, Default, Serialize)]
pub struct Timings {
    pub plan_seconds: f64,
    pub fetch_seconds: f64,
    pub install_seconds: f64,
    pub total_seconds: f64,
}

pub fn seconds(duration: Duration) -> f64 {
    (duration.as_secs_f64() * 1000.0).round() / 1000.0
}

/// `verse download --json`.
#[derive(Debug, Serialize)]
pub struct DownloadReport {
    pub schema: &'static str,
    pub dest: String,
    /// Every file the lock needs for the targets, sorted by file name.
    pub files: Vec<DownloadEntry>,
    /// Packages left out, with the reason (`name==version: reason`).
    pub skipped: Vec<String>,
    /// The static index written (`DEST/simple`).
    pub index: String,
    pub timings: DownloadTimings,
}

#[derive(Debug, Serialize)]
pub struct DownloadEntry {
    pub name: String,
    pub version: String,
    pub file: String,
    pub sha256: Option<String>,
    /// `downloaded` (fetched now) or `present` (already in the folder, verified).
    pub action: &'static str,
    pub size: Option<u64>,
}

#[derive(Debug, Default, Serialize)]
pub struct DownloadTimings {
    pub total_seconds: f64,
}

/// Pretty JSON with a final newline, ready for stdout.
pub fn render<T: Serialize>(document: &T) -> Result<String, serde_json::Error> {
    let mut text = serde_json::to_string_pretty(document)?;
    text.push('\n');
    Ok(text)
}
