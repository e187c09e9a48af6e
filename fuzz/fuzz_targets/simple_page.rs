//! Simple-index pages from a hostile or broken index (PEP 503 HTML, PEP 691 JSON): never a
//! panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use verse::locate::simple_api::{parse_html, parse_json};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let page = reqwest::Url::parse("https://index.example/simple/demo/").expect("valid URL");
    for file in parse_html(text, &page) {
        let _ = file.url.as_str();
    }
    if let Ok(files) = parse_json(text, &page) {
        for file in files {
            let _ = file.url.as_str();
        }
    }
});
