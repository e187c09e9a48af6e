//! Turns source into wheels: an sdist, a directory, or a git checkout becomes a wheel (or an
//! editable wheel) through its PEP 517 build backend, in an isolated build environment.
//!
//! This stage owns the parts of a build that need no network: unpacking an sdist
//! ([`sdist`]), reading `[build-system]` ([`system`]), choosing build requirements from the
//! files an index lists ([`resolve`]), and calling the backend's hooks in a subprocess
//! ([`hooks`]). Finding and downloading the build requirements is `locate` and `fetch`'s job,
//! and `run` wires them together (`run/build.rs`).

pub mod git;
pub mod hooks;
pub mod resolve;
pub mod sdist;
pub mod system;

pub use hooks::{BuildKind, HookError};
pub use system::BuildSystem;
