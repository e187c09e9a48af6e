//! verse's integration tests: one binary, one module per area.
//!
//! * `kit`: the test kit proven on its own (wheels and index checked with real pip).
//! * `install`: the `verse install` pipeline, end to end, against the CLI contract.

mod support;

mod airgap;
mod build;
mod check;
mod conventions;
mod export;
mod faults;
mod hostile;
mod install;
mod interrupt;
mod json;
mod kit;
mod sync;
mod tree;
