//! pyproject.toml parsing (both styles, enrichment, groups): never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let dir = std::path::Path::new("/nonexistent-verse-fuzz");
        let _ = verse::lock::pyproject::parse(dir, &dir.join("pyproject.toml"), text);
    }
});
