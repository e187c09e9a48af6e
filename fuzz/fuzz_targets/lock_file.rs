//! poetry.lock parsing: any bytes give a `Lock` or a positioned error, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = verse::lock::poetry_lock::parse(std::path::Path::new("poetry.lock"), text);
    }
});
