//! The unpacked-wheel cache and `--link-mode`: a second venv is linked from the cache's
//! unpacked tree (hard links share the inode), copy mode gives each venv its own files, a
//! cache on another filesystem falls back to copying, and concurrent installs share one cache.

use std::os::unix::fs::MetadataExt;
use std::path::Path;

use super::*;

fn inode(path: &Path) -> (u64, u64) {
    let meta = std::fs::metadata(path).unwrap();
    (meta.ino(), meta.nlink())
}

#[test]
fn hardlink_mode_links_a_second_venv_to_the_cache_and_copy_mode_does_not() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let (_, server) = project_with(&context, &[&alpha]);
    context
        .install(&server)
        .args(["--link-mode", "hardlink"])
        .run()
        .success();
    let other = context.root().join("other-venv");
    context
        .install(&server)
        .args(["--link-mode", "hardlink", "--venv"])
        .arg(&other)
        .run()
        .success();
    let first = context.site_packages().join("alpha/__init__.py");
    let second = site_packages(&other).join("alpha/__init__.py");
    let (ino, links) = inode(&first);
    assert_eq!(inode(&second).0, ino, "not the same file");
    // The cache's tree and the two venvs.
    assert_eq!(links, 3);
    // Per-venv metadata is never linked.
    let record = site_packages(&other).join("alpha-1.0.0.dist-info/RECORD");
    assert_eq!(inode(&record).1, 1);
    assert_eq!(installed_in(&other), vec!["alpha==1.0.0"]);

    let copied = context.root().join("copied-venv");
    context
        .install(&server)
        .env("VERSE_LINK_MODE", "copy")
        .arg("--venv")
        .arg(&copied)
        .run()
        .success();
    assert_eq!(
        inode(&site_packages(&copied).join("alpha/__init__.py")).1,
        1
    );
    assert_eq!(installed_in(&copied), vec!["alpha==1.0.0"]);
}

#[test]
fn a_cache_on_another_filesystem_falls_back_to_copying() {
    let context = TestContext::new();
    let Ok(shm) = tempfile::tempdir_in("/dev/shm") else {
        eprintln!("no /dev/shm: skipped");
        return;
    };
    if std::fs::metadata(shm.path()).unwrap().dev()
        == std::fs::metadata(context.root()).unwrap().dev()
    {
        eprintln!("/dev/shm is on the venv's filesystem: skipped");
        return;
    }
    let alpha = wheel(&context, "alpha", "1.0.0");
    let (_, server) = project_with(&context, &[&alpha]);
    context
        .install(&server)
        .env("VERSE_CACHE_DIR", shm.path())
        .args(["--link-mode", "hardlink"])
        .run()
        .success();
    assert_eq!(
        inode(&context.site_packages().join("alpha/__init__.py")).1,
        1
    );
    assert_eq!(context.installed(), vec!["alpha==1.0.0"]);
    assert!(shm.path().join("unpacked-v2/sha256").is_dir());
}

#[test]
fn concurrent_installs_share_one_cold_cache() {
    let context = TestContext::new();
    let alpha = wheel(&context, "alpha", "1.0.0");
    let beta = wheel(&context, "beta", "2.0.0");
    let (_, server) = project_with(&context, &[&alpha, &beta]);
    let venvs: Vec<_> = (0..3)
        .map(|i| context.root().join(format!("venv{i}")))
        .collect();
    std::thread::scope(|scope| {
        for venv in &venvs {
            let (context, server) = (&context, &server);
            scope.spawn(move || {
                context
                    .install(server)
                    .arg("--venv")
                    .arg(venv)
                    .run()
                    .success();
            });
        }
    });
    for venv in &venvs {
        assert_eq!(installed_in(venv), vec!["alpha==1.0.0", "beta==2.0.0"]);
    }
    // One tree per wheel, and no staging directory left behind.
    let trees = std::fs::read_dir(context.cache_dir().join("unpacked-v2/sha256")).unwrap();
    assert_eq!(trees.count(), 2);
    let leftovers: Vec<_> = std::fs::read_dir(context.cache_dir().join("tmp"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("run-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
