//! Micro-benchmarks of verse's hot paths, with the standard harness off (`harness = false`):
//!
//! * `plan`: read the biggest benchmark lock (datasci-large, 155+ packages with markers) and
//!   its pyproject, check the content hash, and plan for this machine's python3;
//! * `install_wheel`: unpack, hash and write a large synthetic wheel (2,000 files, ~40 MB) into
//!   a fresh venv, RECORD included.
//!
//! `cargo bench --bench hot_paths` prints min / median / max of each. Whole-install timings
//! against uv are in `scripts/bench.sh`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use verse::install::{self, WheelOptions};
use verse::packaging::WheelFilename;

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name:<16} runs {:>3}  min {:>9.2} ms  median {:>9.2} ms  max {:>9.2} ms",
        samples.len(),
        ms(samples[0]),
        ms(samples[samples.len() / 2]),
        ms(samples[samples.len() - 1])
    );
}

fn bench_plan(python: &Path) {
    let project_dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/scenarios/datasci-large");
    if !project_dir.join("poetry.lock").is_file() {
        println!("plan: skipped ({} not found)", project_dir.display());
        return;
    }
    let target = verse::target::probe(python).expect("probe python3");
    let selection = verse::plan::Selection {
        no_root: true,
        ..Default::default()
    };
    let mut samples = Vec::new();
    let mut packages = 0;
    for _ in 0..30 {
        let start = Instant::now();
        let (project, lock) = verse::lock::read(&project_dir).expect("read lock");
        assert!(verse::lock::content_hash::is_fresh(&project, &lock));
        let plan = verse::plan::plan(
            &project,
            &lock,
            &target,
            &selection,
            verse::plan::Policy::default(),
        )
        .expect("plan");
        samples.push(start.elapsed());
        packages = plan.packages.len();
    }
    println!("plan: datasci-large, {packages} packages selected");
    report("plan", samples);
}

/// A wheel of `files` modules of ~20 KB each, text-like so it compresses as real code does.
fn synthetic_wheel(dir: &Path, files: usize) -> PathBuf {
    let path = dir.join("bigpkg-1.0-py3-none-any.whl");
    let file = std::fs::File::create(&path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut record = String::new();
    for i in 0..files {
        let name = format!("bigpkg/sub{}/module_{i}.py", i % 40);
        let mut body = String::new();
        for line in 0..400 {
            body.push_str(&format!(
                "def function_{i}_{line}(x):\n    return x * {line} + {i}  # {}\n",
                (line * 7919 + i) % 104729
            ));
        }
        zip.start_file(&name, options).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
        record.push_str(&format!("{name},,\n"));
    }
    let metadata = "Metadata-Version: 2.1\nName: bigpkg\nVersion: 1.0\n";
    let wheel = "Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n";
    for (name, body) in [
        ("bigpkg-1.0.dist-info/METADATA", metadata),
        ("bigpkg-1.0.dist-info/WHEEL", wheel),
    ] {
        zip.start_file(name, options).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
        record.push_str(&format!("{name},,\n"));
    }
    record.push_str("bigpkg-1.0.dist-info/RECORD,,\n");
    zip.start_file("bigpkg-1.0.dist-info/RECORD", options)
        .unwrap();
    zip.write_all(record.as_bytes()).unwrap();
    zip.finish().unwrap();
    path
}

fn bench_install(python: &Path) {
    let dir = tempfile::tempdir().unwrap();
    let wheel = synthetic_wheel(dir.path(), 2000);
    let filename: WheelFilename = "bigpkg-1.0-py3-none-any.whl".parse().unwrap();
    let target = verse::target::probe(python).expect("probe python3");
    let size = std::fs::metadata(&wheel).unwrap().len();
    let mut samples = Vec::new();
    for run in 0..8 {
        let venv_dir = dir.path().join(format!("venv{run}"));
        let venv = verse::venv::create(&venv_dir, &target).expect("venv");
        let start = Instant::now();
        install::install_wheel(&venv, &wheel, &filename, &WheelOptions::default())
            .expect("install");
        samples.push(start.elapsed());
        std::fs::remove_dir_all(&venv_dir).unwrap();
    }
    println!(
        "install_wheel: 2,000 files, {:.1} MB wheel",
        size as f64 / 1e6
    );
    report("install_wheel", samples);
}

fn main() {
    let python = std::env::var_os("PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("python3"));
    bench_plan(&python);
    bench_install(&python);
}
