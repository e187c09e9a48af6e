//! Everything the user sees. Progress bars when stderr is a terminal; plain, line-oriented
//! logs otherwise (Docker build output, CI); the final summary; the plan for `--dry-run`; and
//! errors rendered as `error:` / `Caused by:` / `hint:`. Results go to stdout (the dry-run
//! plan), everything else to stderr, so `verse ... > plan.txt` captures only the plan.

pub mod json;
mod progress;

use std::io::{IsTerminal, Write};
use std::time::Duration;

use crate::error::Error;
pub use progress::DownloadProgress;

/// How much to say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

#[derive(Clone, Debug)]
pub struct Printer {
    pub verbosity: Verbosity,
    /// Draw progress bars (stderr is a terminal and output is not quiet).
    pub progress: bool,
    color: bool,
}

impl Printer {
    pub fn new(quiet: bool, verbose: u8) -> Self {
        let verbosity = if quiet {
            Verbosity::Quiet
        } else if verbose > 0 {
            Verbosity::Verbose
        } else {
            Verbosity::Normal
        };
        let terminal = std::io::stderr().is_terminal();
        let color = terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        Printer {
            verbosity,
            progress: terminal && verbosity == Verbosity::Normal,
            color,
        }
    }

    /// `--color`: `always` and `never` override the terminal and NO_COLOR test of `auto`.
    pub fn with_color(mut self, when: &str) -> Self {
        match when {
            "always" => self.color = true,
            "never" => self.color = false,
            _ => {}
        }
        self
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    /// A line of normal output (stderr).
    pub fn info(&self, line: impl AsRef<str>) {
        if self.verbosity != Verbosity::Quiet {
            eprintln!("{}", line.as_ref());
        }
    }

    /// A line only shown with `-v`.
    pub fn detail(&self, line: impl AsRef<str>) {
        if self.verbosity == Verbosity::Verbose {
            eprintln!("{}", line.as_ref());
        }
    }

    pub fn warn(&self, message: impl AsRef<str>) {
        if self.verbosity != Verbosity::Quiet {
            eprintln!("{} {}", self.paint("1;33", "warning:"), message.as_ref());
        }
    }

    /// Renders an error with its causes and hint; always shown, even with `-q`.
    pub fn error(&self, error: &Error) {
        let mut out = std::io::stderr().lock();
        let _ = writeln!(
            out,
            "{} {}",
            self.paint("1;31", "error:"),
            indent_rest(&error.message)
        );
        for cause in error.causes() {
            let _ = writeln!(
                out,
                "  {} {}",
                self.paint("1", "Caused by:"),
                indent_rest(&cause)
            );
        }
        if let Some(hint) = &error.hint {
            let _ = writeln!(out, "{} {}", self.paint("1;36", "hint:"), indent_rest(hint));
        }
    }

    /// Writes to stdout (the result of a command, such as the dry-run plan).
    pub fn result(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }

    /// `Installed N packages in T` and the sorted change lines.
    pub fn summary(&self, summary: &Summary) {
        if self.verbosity == Verbosity::Quiet {
            return;
        }
        let mut out = std::io::stderr().lock();
        let elapsed = format_duration(summary.elapsed);
        if summary.installed.is_empty() && summary.removed.is_empty() {
            let _ = writeln!(
                out,
                "Nothing to install: {} already up to date ({elapsed})",
                count(summary.unchanged, "package")
            );
            return;
        }
        let replaced = summary
            .removed
            .iter()
            .filter(|(name, _)| summary.installed.iter().any(|(n, _)| n == name))
            .count();
        let removed_only = summary.removed.len() - replaced;
        let _ = match (summary.installed.len(), removed_only) {
            (0, removed) => writeln!(out, "Removed {} in {elapsed}", count(removed, "package")),
            (installed, 0) => writeln!(
                out,
                "Installed {} in {elapsed}",
                count(installed, "package")
            ),
            (installed, removed) => writeln!(
                out,
                "Installed {} and removed {} in {elapsed}",
                count(installed, "package"),
                count(removed, "package")
            ),
        };
        let mut lines: Vec<(String, char, String)> = Vec::new();
        for (name, version) in &summary.removed {
            lines.push((name.clone(), '-', format!("{name}=={version}")));
        }
        for (name, version) in &summary.installed {
            lines.push((name.clone(), '+', format!("{name}=={version}")));
        }
        lines.sort();
        for (_, sign, text) in lines {
            let colored = match sign {
                '+' => self.paint("32", &format!("+ {text}")),
                _ => self.paint("31", &format!("- {text}")),
            };
            let _ = writeln!(out, " {colored}");
        }
    }
}

/// What an install changed.
#[derive(Debug, Default)]
pub struct Summary {
    /// (name, version) newly installed.
    pub installed: Vec<(String, String)>,
    /// (name, version) removed because another version replaced them.
    pub removed: Vec<(String, String)>,
    /// Packages already installed at the locked version.
    pub unchanged: usize,
    pub elapsed: Duration,
}

pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

pub fn format_duration(duration: Duration) -> String {
    let ms = duration.as_millis();
    if ms < 1000 {
        format!("{ms}ms")
    } else {
        format!("{:.2}s", duration.as_secs_f64())
    }
}

pub fn format_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// Multi-line messages keep their later lines aligned under the first.
fn indent_rest(text: &str) -> String {
    text.replace('\n', "\n  ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words() {
        assert_eq!(count(1, "package"), "1 package");
        assert_eq!(count(3, "package"), "3 packages");
        assert_eq!(format_bytes(512), "512 B");
        assert_eq!(format_bytes(1536), "1.5 KiB");
        assert_eq!(format_duration(Duration::from_millis(1500)), "1.50s");
        assert_eq!(format_duration(Duration::from_millis(15)), "15ms");
    }
}
