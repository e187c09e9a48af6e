//! Whole wheels from a hostile index: arbitrary bytes through the installer's own checked
//! unpack (`verse::install::unpack_wheel`: zip structure, limits, every member against
//! RECORD), writing into a scratch directory. Never a panic, and nothing left behind but the
//! unpacked tree itself (a failed unpack removes its staging directory).
#![no_main]
use std::path::PathBuf;

use libfuzzer_sys::fuzz_target;
use verse::packaging::WheelFilename;

fn scratch() -> PathBuf {
    let base = if std::path::Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    base.join(format!("verse-fuzz-wheel-{}", std::process::id()))
}

fn filename_for(data: &[u8]) -> WheelFilename {
    let fallback = || "demo-1.0-py3-none-any.whl".parse().expect("valid filename");
    let Ok(archive) = zip::ZipArchive::new(std::io::Cursor::new(data)) else {
        return fallback();
    };
    let found = archive
        .file_names()
        .filter_map(|n| n.ok()?.split_once('/').map(|(first, _)| first.to_string()))
        .find_map(|first| {
            let stem = first.strip_suffix(".dist-info")?;
            format!("{stem}-py3-none-any.whl").parse().ok()
        });
    found.unwrap_or_else(fallback)
}

fuzz_target!(|data: &[u8]| {
    let dir = scratch();
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    // Named after the .dist-info inside, so inputs get past the name check to RECORD and the
    // extraction.
    let filename = filename_for(data);
    let wheel_name = filename.to_string();
    let wheel = dir.join(&wheel_name);
    std::fs::write(&wheel, data).expect("writing the wheel");
    let tree = dir.join("tree");
    let result = verse::install::unpack_wheel(&wheel, &filename, &tree);
    let mut left: Vec<String> = std::fs::read_dir(&dir)
        .expect("listing the scratch directory")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| *n != wheel_name && (n != "tree" || result.is_err()))
        .collect();
    left.sort();
    assert!(left.is_empty(), "left behind: {left:?} ({result:?})");
    if let Ok(names) = result {
        for name in names {
            assert!(tree.join("tree").join(&name).is_file(), "{name} not unpacked");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
});
