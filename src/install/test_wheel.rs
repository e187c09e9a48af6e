//! Test support: builds small real wheels with the zip crate. Used by the unit tests here and,
//! through `#[path]`, by `tests/pip_differential.rs`, so it depends on external crates only.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;

#[derive(Clone)]
struct Entry {
    name: String,
    content: Vec<u8>,
    /// Full Unix mode, file type included.
    mode: u32,
    in_record: bool,
}

/// A wheel under construction: METADATA, WHEEL and RECORD are generated at build time.
#[derive(Clone)]
pub struct TestWheel {
    pub name: String,
    pub version: String,
    pub root_is_purelib: bool,
    entries: Vec<Entry>,
    dist_info_override: Option<String>,
}

impl TestWheel {
    pub fn new(name: &str, version: &str) -> Self {
        TestWheel {
            name: name.to_string(),
            version: version.to_string(),
            root_is_purelib: true,
            entries: Vec::new(),
            dist_info_override: None,
        }
    }

    /// The escaped name used in the wheel's filename and `.dist-info`.
    pub fn escaped(&self) -> String {
        self.name.replace(['-', '.'], "_")
    }

    pub fn dist_info(&self) -> String {
        self.dist_info_override
            .clone()
            .unwrap_or_else(|| format!("{}-{}.dist-info", self.escaped(), self.version))
    }

    pub fn data_dir(&self) -> String {
        format!("{}-{}.data", self.escaped(), self.version)
    }

    pub fn filename(&self) -> String {
        format!("{}-{}-py3-none-any.whl", self.escaped(), self.version)
    }

    fn push(mut self, name: &str, content: &[u8], mode: u32, in_record: bool) -> Self {
        self.entries.push(Entry {
            name: name.to_string(),
            content: content.to_vec(),
            mode,
            in_record,
        });
        self
    }

    pub fn file(self, name: &str, content: &str) -> Self {
        self.push(name, content.as_bytes(), 0o100644, true)
    }

    pub fn executable(self, name: &str, content: &str) -> Self {
        self.push(name, content.as_bytes(), 0o100755, true)
    }

    /// A zip symlink entry (mode 0o120777) whose content is the link target.
    pub fn symlink(self, name: &str, target: &str) -> Self {
        self.push(name, target.as_bytes(), 0o120777, true)
    }

    /// A member that RECORD does not list.
    pub fn unrecorded(self, name: &str, content: &str) -> Self {
        self.push(name, content.as_bytes(), 0o100644, false)
    }

    /// A file under `<name>-<version>.data/<key>/`.
    pub fn data(self, key_and_path: &str, content: &str) -> Self {
        let name = format!("{}/{key_and_path}", self.data_dir());
        self.file(&name, content)
    }

    pub fn data_executable(self, key_and_path: &str, content: &str) -> Self {
        let name = format!("{}/{key_and_path}", self.data_dir());
        self.executable(&name, content)
    }

    pub fn entry_points(self, text: &str) -> Self {
        let name = format!("{}/entry_points.txt", self.dist_info());
        self.file(&name, text)
    }

    pub fn platlib(mut self) -> Self {
        self.root_is_purelib = false;
        self
    }

    /// Names the `.dist-info` directory explicitly (for mismatch tests).
    pub fn with_dist_info(mut self, dir: &str) -> Self {
        self.dist_info_override = Some(dir.to_string());
        self
    }

    /// Writes the wheel into `dir` and returns its path.
    pub fn build(&self, dir: &Path) -> PathBuf {
        let dist_info = self.dist_info();
        let mut entries = self.entries.clone();
        let metadata = format!(
            "Metadata-Version: 2.1\nName: {}\nVersion: {}\nSummary: test wheel\n",
            self.name, self.version
        );
        let wheel = format!(
            "Wheel-Version: 1.0\nGenerator: verse-tests\nRoot-Is-Purelib: {}\nTag: py3-none-any\n",
            self.root_is_purelib
        );
        for (file, content) in [("METADATA", metadata), ("WHEEL", wheel)] {
            entries.push(Entry {
                name: format!("{dist_info}/{file}"),
                content: content.into_bytes(),
                mode: 0o100644,
                in_record: true,
            });
        }
        let mut record = String::new();
        for entry in entries.iter().filter(|e| e.in_record) {
            let digest = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(Sha256::digest(&entry.content));
            record.push_str(&format!(
                "{},sha256={digest},{}\n",
                entry.name,
                entry.content.len()
            ));
        }
        record.push_str(&format!("{dist_info}/RECORD,,\n"));
        entries.push(Entry {
            name: format!("{dist_info}/RECORD"),
            content: record.into_bytes(),
            mode: 0o100644,
            in_record: false,
        });

        let path = dir.join(self.filename());
        let file = std::fs::File::create(&path).expect("create wheel");
        let mut zip = zip::ZipWriter::new(file);
        for entry in &entries {
            let options = SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated)
                .external_attributes(entry.mode << 16);
            zip.start_file(entry.name.as_str(), options)
                .expect("start file");
            zip.write_all(&entry.content).expect("write entry");
        }
        zip.finish().expect("finish wheel");
        path
    }
}
