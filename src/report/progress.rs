//! Download progress: one byte-counting bar on a terminal; otherwise (a log: Docker build
//! output, CI, or `-v`) one plain line per downloaded file, so a long download is never a
//! silent step. `-q` prints neither.

use std::sync::atomic::{AtomicUsize, Ordering};

use indicatif::{ProgressBar, ProgressStyle};

use super::{Printer, Verbosity};
use crate::fetch::Reporter;

pub struct DownloadProgress {
    bar: Option<ProgressBar>,
    /// No bar and not quiet: a line per finished file.
    lines: bool,
    /// `-v`: also a line when a file starts.
    verbose: bool,
    files: usize,
    done: AtomicUsize,
}

impl DownloadProgress {
    /// Progress for `files` downloads.
    pub fn new(printer: &Printer, files: usize) -> Self {
        let bar = (printer.progress && files > 0).then(|| {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} Downloading {msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar.set_message(format!("0/{files}"));
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar
        });
        DownloadProgress {
            lines: bar.is_none() && printer.verbosity != Verbosity::Quiet,
            bar,
            verbose: printer.verbosity == Verbosity::Verbose,
            files,
            done: AtomicUsize::new(0),
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Reporter for DownloadProgress {
    fn download_started(&self, file: &str, size: Option<u64>) {
        if let Some(bar) = &self.bar {
            bar.inc_length(size.unwrap_or(0));
        }
        if self.verbose {
            eprintln!("Downloading {file}");
        }
    }

    fn download_progress(&self, _file: &str, bytes: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(bytes);
        }
    }

    fn download_finished(&self, file: &str) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(bar) = &self.bar {
            bar.set_message(format!("{done}/{}", self.files));
        }
        if self.lines {
            eprintln!("Downloaded {file} ({done}/{})", self.files);
        }
    }
}
