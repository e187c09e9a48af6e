//! `verse install`, end to end.
