//! Wheel and sdist file names: parse, display, re-parse; never a panic, and a parsed name
//! never carries a path character.
#![no_main]
use libfuzzer_sys::fuzz_target;
use verse::packaging::WheelFilename;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(wheel) = text.parse::<WheelFilename>() {
        let shown = wheel.to_string();
        assert!(!shown.contains('/') && !shown.contains('\\'), "{shown}");
        let again: WheelFilename = shown.parse().expect("a displayed wheel filename parses");
        assert_eq!(again, wheel);
    }
    if let Ok(name) = verse::packaging::PackageName::new("demo".to_string()) {
        let _ = verse::packaging::wheel_filename::sdist_version(text, &name);
    }
});
