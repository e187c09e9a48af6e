//! `WheelBuilder`: writes real `.whl` files (and stand-in sdists) for tests, on the fly.
//!
//! A built wheel is what a build backend would produce: the files you give, a
//! `<dist>-<version>.dist-info/` with METADATA, WHEEL, `entry_points.txt` and a RECORD whose
//! rows carry the correct `sha256=` digests and sizes. Wheels can also be built broken on
//! purpose (a wrong RECORD, a `../` path) for hardening tests.
//!
//! It does not validate what it is asked to write: broken input makes a broken wheel.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

/// A file on disk that a lock can name and an index can serve: a wheel or an sdist.
#[derive(Clone, Debug)]
pub struct DistFile {
    /// The distribution name as given to the builder (not normalized).
    pub name: String,
    pub version: String,
    /// The file name, e.g. `demo_pkg-1.0.0-py3-none-any.whl`.
    pub filename: String,
    pub path: PathBuf,
    /// Lowercase hex sha256 of the file's bytes.
    pub sha256: String,
    pub size: u64,
}

impl DistFile {
    /// The `hash` value a lock writes for this file: `sha256:<hex>`.
    pub fn lock_hash(&self) -> String {
        format!("sha256:{}", self.sha256)
    }

    pub fn bytes(&self) -> Vec<u8> {
        fs::read(&self.path).unwrap_or_else(|e| panic!("reading {}: {e}", self.path.display()))
    }
}

/// How the RECORD of a built wheel is written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Record {
    /// Every file with its correct hash and size, RECORD itself with empty fields.
    #[default]
    Correct,
    /// Every hash is replaced with the digest of some other bytes.
    WrongHashes,
    /// The listed file is left out of RECORD.
    Missing(String),
    /// No RECORD at all.
    Absent,
    /// Exactly this text.
    Custom(String),
}

#[derive(Clone, Debug)]
struct Entry {
    path: String,
    bytes: Vec<u8>,
    mode: u32,
}

/// Builds one wheel. Defaults: tag `py3-none-any`, `Root-Is-Purelib: true`, no files.
///
/// ```ignore
/// let wheel = WheelBuilder::new("demo-pkg", "1.0.0")
///     .package("demo_pkg")                       // demo_pkg/__init__.py with __version__
///     .file("demo_pkg/cli.py", "def main():\n    print('hi')\n")
///     .console_script("demo", "demo_pkg.cli:main")
///     .data("scripts", "demo-tool", "#!python\nprint('tool')\n")
///     .build(dir);
/// ```
#[derive(Clone, Debug)]
pub struct WheelBuilder {
    name: String,
    version: String,
    tag: String,
    build_tag: Option<String>,
    root_is_purelib: bool,
    files: Vec<Entry>,
    dist_info_files: Vec<Entry>,
    console_scripts: Vec<(String, String)>,
    gui_scripts: Vec<(String, String)>,
    requires_dist: Vec<String>,
    requires_python: Option<String>,
    record: Record,
    raw_entries: Vec<Entry>,
}

impl WheelBuilder {
    pub fn new(name: &str, version: &str) -> Self {
        WheelBuilder {
            name: name.to_string(),
            version: version.to_string(),
            tag: "py3-none-any".to_string(),
            build_tag: None,
            root_is_purelib: true,
            files: Vec::new(),
            dist_info_files: Vec::new(),
            console_scripts: Vec::new(),
            gui_scripts: Vec::new(),
            requires_dist: Vec::new(),
            requires_python: None,
            record: Record::Correct,
            raw_entries: Vec::new(),
        }
    }

    /// The compatibility tag triple of the file name, e.g.
    /// `cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64` (compressed sets allowed).
    pub fn tag(mut self, tag: &str) -> Self {
        self.tag = tag.to_string();
        self
    }

    pub fn build_tag(mut self, build: &str) -> Self {
        self.build_tag = Some(build.to_string());
        self
    }

    /// `Root-Is-Purelib: false`: the wheel root goes to platlib.
    pub fn platlib(mut self) -> Self {
        self.root_is_purelib = false;
        self
    }

    /// A regular file (mode 0644) at `path` inside the wheel root.
    pub fn file(self, path: &str, text: &str) -> Self {
        self.file_with_mode(path, text.as_bytes(), 0o644)
    }

    pub fn file_bytes(self, path: &str, bytes: &[u8]) -> Self {
        self.file_with_mode(path, bytes, 0o644)
    }

    /// An executable file (mode 0755).
    pub fn executable(self, path: &str, text: &str) -> Self {
        self.file_with_mode(path, text.as_bytes(), 0o755)
    }

    pub fn file_with_mode(mut self, path: &str, bytes: &[u8], mode: u32) -> Self {
        self.files.push(Entry {
            path: path.to_string(),
            bytes: bytes.to_vec(),
            mode,
        });
        self
    }

    /// `<import_name>/__init__.py` defining `__version__` (the wheel's version) and `NAME`.
    pub fn package(self, import_name: &str) -> Self {
        let init = format!(
            "__version__ = {:?}\nNAME = {:?}\n",
            self.version, import_name
        );
        let path = format!("{}/__init__.py", import_name.replace('.', "/"));
        self.file(&path, &init)
    }

    /// A module of a PEP 420 namespace package: `ns/part/__init__.py` with no `ns/__init__.py`.
    /// `dotted` is `ns.part`; several wheels may share the `ns` prefix.
    pub fn namespace_package(self, dotted: &str) -> Self {
        self.package(dotted)
    }

    /// A file under `<dist>-<version>.data/<key>/<path>`; `key` is `scripts`, `data`,
    /// `headers`, `purelib` or `platlib`. Scripts are written executable.
    pub fn data(self, key: &str, path: &str, text: &str) -> Self {
        let mode = if key == "scripts" { 0o755 } else { 0o644 };
        let full = format!("{}/{key}/{path}", self.data_dir());
        self.file_with_mode(&full, text.as_bytes(), mode)
    }

    /// An extra file in the dist-info directory, e.g. `licenses/LICENSE` or `top_level.txt`.
    pub fn dist_info_file(mut self, path: &str, text: &str) -> Self {
        self.dist_info_files.push(Entry {
            path: path.to_string(),
            bytes: text.as_bytes().to_vec(),
            mode: 0o644,
        });
        self
    }

    /// `[console_scripts] name = target` (target like `pkg.module:function`).
    pub fn console_script(mut self, name: &str, target: &str) -> Self {
        self.console_scripts
            .push((name.to_string(), target.to_string()));
        self
    }

    pub fn gui_script(mut self, name: &str, target: &str) -> Self {
        self.gui_scripts
            .push((name.to_string(), target.to_string()));
        self
    }

    pub fn requires_dist(mut self, requirement: &str) -> Self {
        self.requires_dist.push(requirement.to_string());
        self
    }

    pub fn requires_python(mut self, specifier: &str) -> Self {
        self.requires_python = Some(specifier.to_string());
        self
    }

    /// How RECORD is written (default: correct).
    pub fn record(mut self, record: Record) -> Self {
        self.record = record;
        self
    }

    /// A zip entry written verbatim and left out of RECORD, e.g. `../escape.py`.
    pub fn raw_entry(mut self, path: &str, text: &str) -> Self {
        self.raw_entries.push(Entry {
            path: path.to_string(),
            bytes: text.as_bytes().to_vec(),
            mode: 0o644,
        });
        self
    }

    /// The version as given.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The escaped distribution name used in file and directory names (`demo_pkg`).
    pub fn dist_name(&self) -> String {
        escape(&self.name)
    }

    pub fn dist_info_dir(&self) -> String {
        format!("{}-{}.dist-info", self.dist_name(), self.version)
    }

    pub fn data_dir(&self) -> String {
        format!("{}-{}.data", self.dist_name(), self.version)
    }

    pub fn filename(&self) -> String {
        match &self.build_tag {
            Some(build) => format!(
                "{}-{}-{build}-{}.whl",
                self.dist_name(),
                self.version,
                self.tag
            ),
            None => format!("{}-{}-{}.whl", self.dist_name(), self.version, self.tag),
        }
    }

    /// Writes the wheel into `dir` and returns it.
    pub fn build(&self, dir: &Path) -> DistFile {
        fs::create_dir_all(dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
        let dist_info = self.dist_info_dir();
        let mut entries = self.files.clone();
        let metadata = self.metadata();
        entries.push(Entry {
            path: format!("{dist_info}/METADATA"),
            bytes: metadata.into_bytes(),
            mode: 0o644,
        });
        entries.push(Entry {
            path: format!("{dist_info}/WHEEL"),
            bytes: self.wheel_file().into_bytes(),
            mode: 0o644,
        });
        if let Some(entry_points) = self.entry_points() {
            entries.push(Entry {
                path: format!("{dist_info}/entry_points.txt"),
                bytes: entry_points.into_bytes(),
                mode: 0o644,
            });
        }
        for extra in &self.dist_info_files {
            entries.push(Entry {
                path: format!("{dist_info}/{}", extra.path),
                ..extra.clone()
            });
        }
        let record_path = format!("{dist_info}/RECORD");
        let record = match &self.record {
            Record::Correct => Some(record_text(&entries, &record_path, None, false)),
            Record::WrongHashes => Some(record_text(&entries, &record_path, None, true)),
            Record::Missing(left_out) => {
                Some(record_text(&entries, &record_path, Some(left_out), false))
            }
            Record::Absent => None,
            Record::Custom(text) => Some(text.clone()),
        };
        if let Some(record) = record {
            entries.push(Entry {
                path: record_path,
                bytes: record.into_bytes(),
                mode: 0o644,
            });
        }
        entries.extend(self.raw_entries.iter().cloned());

        let path = dir.join(self.filename());
        let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for entry in &entries {
            // A fixed timestamp makes the same builder produce byte-identical wheels.
            let options = SimpleFileOptions::default()
                .compression_method(CompressionMethod::Deflated)
                .last_modified_time(DateTime::default())
                .unix_permissions(entry.mode);
            zip.start_file(entry.path.as_str(), options)
                .unwrap_or_else(|e| panic!("zip entry {}: {e}", entry.path));
            zip.write_all(&entry.bytes)
                .unwrap_or_else(|e| panic!("zip entry {}: {e}", entry.path));
        }
        let bytes = zip
            .finish()
            .unwrap_or_else(|e| panic!("finishing {}: {e}", path.display()))
            .into_inner();
        write_dist_file(&self.name, &self.version, &self.filename(), dir, &bytes)
    }

    fn metadata(&self) -> String {
        let mut text = format!(
            "Metadata-Version: 2.1\nName: {}\nVersion: {}\nSummary: test wheel {} {}\n",
            self.name, self.version, self.name, self.version
        );
        if let Some(requires_python) = &self.requires_python {
            text.push_str(&format!("Requires-Python: {requires_python}\n"));
        }
        for requirement in &self.requires_dist {
            text.push_str(&format!("Requires-Dist: {requirement}\n"));
        }
        text
    }

    fn wheel_file(&self) -> String {
        let mut text = format!(
            "Wheel-Version: 1.0\nGenerator: verse-testkit\nRoot-Is-Purelib: {}\n",
            self.root_is_purelib
        );
        if let Some(build) = &self.build_tag {
            text.push_str(&format!("Build: {build}\n"));
        }
        // The expanded tag set, as bdist_wheel writes it.
        let parts: Vec<&str> = self.tag.splitn(3, '-').collect();
        if let [python, abi, platform] = parts[..] {
            for py in python.split('.') {
                for a in abi.split('.') {
                    for plat in platform.split('.') {
                        text.push_str(&format!("Tag: {py}-{a}-{plat}\n"));
                    }
                }
            }
        }
        text
    }

    fn entry_points(&self) -> Option<String> {
        if self.console_scripts.is_empty() && self.gui_scripts.is_empty() {
            return None;
        }
        let mut text = String::new();
        for (section, scripts) in [
            ("console_scripts", &self.console_scripts),
            ("gui_scripts", &self.gui_scripts),
        ] {
            if scripts.is_empty() {
                continue;
            }
            text.push_str(&format!("[{section}]\n"));
            for (name, target) in scripts {
                text.push_str(&format!("{name} = {target}\n"));
            }
            text.push('\n');
        }
        Some(text)
    }
}

/// A stand-in source distribution: a file named like an sdist with arbitrary bytes. Enough for
/// a lock entry and an index listing; nothing here ever builds it.
pub fn sdist(name: &str, version: &str, dir: &Path) -> DistFile {
    let filename = format!("{}-{version}.tar.gz", escape(name));
    let bytes = format!("not a real sdist: {name} {version}\n").into_bytes();
    write_dist_file(name, version, &filename, dir, &bytes)
}

/// Writes `bytes` as `dir/filename` and describes it.
pub fn write_dist_file(
    name: &str,
    version: &str,
    filename: &str,
    dir: &Path,
    bytes: &[u8],
) -> DistFile {
    fs::create_dir_all(dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
    let path = dir.join(filename);
    fs::write(&path, bytes).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    DistFile {
        name: name.to_string(),
        version: version.to_string(),
        filename: filename.to_string(),
        path,
        sha256: sha256_hex(bytes),
        size: bytes.len() as u64,
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The RECORD hash field: `sha256=<urlsafe base64, no padding>`.
pub fn record_hash(bytes: &[u8]) -> String {
    format!(
        "sha256={}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(bytes))
    )
}

/// The wheel-filename escaping of a distribution name: runs of `-_.` become `_`, lowercase.
pub fn escape(name: &str) -> String {
    verse::packaging::name::normalize(name).replace('-', "_")
}

fn record_text(
    entries: &[Entry],
    record_path: &str,
    left_out: Option<&String>,
    wrong_hashes: bool,
) -> String {
    let mut text = String::new();
    for entry in entries {
        if Some(&entry.path) == left_out {
            continue;
        }
        let hash = if wrong_hashes {
            record_hash(b"other bytes")
        } else {
            record_hash(&entry.bytes)
        };
        text.push_str(&format!(
            "{},{hash},{}\n",
            csv_field(&entry.path),
            entry.bytes.len()
        ));
    }
    text.push_str(&format!("{},,\n", csv_field(record_path)));
    text
}

/// RECORD is CSV: a path with a comma or quote is quoted.
fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\n']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}
