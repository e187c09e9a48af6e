//! verse installs the packages a Poetry project has locked into a virtualenv.
//!
//! The crate is one pipeline; each module is one stage, and data flows one way:
//!
//! ```text
//!  lock ───► plan ───► locate ───► fetch ───► install ───► report
//!             ▲                                  ▲
//!  target ────┴──────────► venv ─────────────────┘
//! ```
//!
//! * [`packaging`]: the vocabulary of the Python packaging specs (names, versions, markers,
//!   tags, wheel filenames, hashes, Poetry's constraint syntax). Pure; imports nothing else.
//! * [`lock`]: reads `poetry.lock` and `pyproject.toml` into plain values. Reads files only.
//! * [`target`]: probes the interpreter we install for, once: markers, tags, install paths
//!   (or, for `verse download`, describes targets given by flags).
//! * [`plan`]: decides which locked packages to install for the target and which file of
//!   each. Pure: values in, values out.
//! * [`locate`]: finds where each planned file is: a `--find-links` folder, or its source's
//!   simple index (HTTP or `file://`), in Poetry's source order; also writes the static index
//!   of a `verse download` folder.
//! * [`fetch`]: downloads (or copies) and verifies every file (sha256 against the lock) into
//!   the cache.
//!   Only `fetch` can make a [`fetch::FetchedWheel`], so nothing unverified reaches `install`.
//! * [`venv`]: creates the virtual environment, or checks that an existing one fits.
//! * [`install`]: unpacks verified wheels into the venv the way pip does.
//! * [`report`]: everything the user sees: progress, logs, the summary, errors.
//!
//! Rules: a stage may use the output types of earlier stages, never call into later ones;
//! only [`run`] calls more than one stage; only [`report`] prints; only [`main`] exits.

pub mod build;
pub mod cli;
pub mod error;
pub mod export;
pub mod fetch;
pub mod http;
pub mod install;
pub mod locate;
pub mod lock;
pub mod packaging;
pub mod plan;
pub mod report;
pub mod run;
pub mod target;
pub mod venv;

use std::process::ExitCode;

/// The whole program: parse the command line, run it, render any error, pick the exit code.
pub fn main() -> ExitCode {
    run::main()
}
