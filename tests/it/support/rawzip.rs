//! `RawZip`: a zip archive as plain fields, written byte by byte, for the hostile archives the
//! `zip` crate refuses to produce: local headers that disagree with the central directory,
//! duplicate names, bytes hidden before, between or after the entries, sizes that lie.
//!
//! Start from a real wheel (`RawZip::parse` of `WheelBuilder` output, so RECORD is right),
//! change fields, write it with `to_bytes`. Only what the zip crate writes is parsed (no zip64,
//! no archive comment, no data descriptors).

use std::io::Write;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// One entry: what the central directory says, and what its local header says where they
/// differ (`local_*`).
#[derive(Clone, Debug)]
pub struct RawEntry {
    pub name: String,
    /// 0 stored, 8 deflate.
    pub method: u16,
    pub crc: u32,
    /// Declared uncompressed size.
    pub size: u64,
    /// The bytes after the local header, as stored.
    pub data: Vec<u8>,
    /// Declared compressed size, if not `data.len()`.
    pub compressed_size: Option<u64>,
    /// External attributes (Unix mode << 16).
    pub external: u32,
    pub local_name: Option<String>,
    pub local_method: Option<u16>,
    pub local_size: Option<u64>,
    /// Bytes written just before this entry's local header, that no entry accounts for.
    pub before: Vec<u8>,
}

impl RawEntry {
    /// A regular file (mode 0644) compressed as the zip crate does it.
    pub fn file(name: &str, content: &[u8], deflate: bool) -> RawEntry {
        let method = if deflate {
            CompressionMethod::Deflated
        } else {
            CompressionMethod::Stored
        };
        let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = SimpleFileOptions::default()
            .compression_method(method)
            .unix_permissions(0o644);
        zip.start_file(name, options).expect("zip entry");
        zip.write_all(content).expect("zip entry");
        let bytes = zip.finish().expect("zip").into_inner();
        RawZip::parse(&bytes).entries.remove(0)
    }
}

#[derive(Clone, Debug, Default)]
pub struct RawZip {
    /// Bytes before the first local header.
    pub prefix: Vec<u8>,
    pub entries: Vec<RawEntry>,
    /// Bytes after the end record.
    pub suffix: Vec<u8>,
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

impl RawZip {
    /// Reads an archive the zip crate wrote.
    pub fn parse(bytes: &[u8]) -> RawZip {
        let eocd = bytes.len() - 22;
        assert_eq!(u32_at(bytes, eocd), 0x0605_4b50, "no end record at the end");
        let count = usize::from(u16_at(bytes, eocd + 10));
        let mut at = u32_at(bytes, eocd + 16) as usize;
        let mut entries = Vec::new();
        for _ in 0..count {
            assert_eq!(u32_at(bytes, at), 0x0201_4b50, "central header");
            let method = u16_at(bytes, at + 10);
            let crc = u32_at(bytes, at + 16);
            let compressed = u32_at(bytes, at + 20) as usize;
            let size = u64::from(u32_at(bytes, at + 24));
            let name_len = usize::from(u16_at(bytes, at + 28));
            let extra_len = usize::from(u16_at(bytes, at + 30));
            let comment_len = usize::from(u16_at(bytes, at + 32));
            let external = u32_at(bytes, at + 38);
            let local = u32_at(bytes, at + 42) as usize;
            let name = String::from_utf8(bytes[at + 46..at + 46 + name_len].to_vec()).unwrap();
            let local_name_len = usize::from(u16_at(bytes, local + 26));
            let local_extra_len = usize::from(u16_at(bytes, local + 28));
            let data_start = local + 30 + local_name_len + local_extra_len;
            entries.push(RawEntry {
                name,
                method,
                crc,
                size,
                data: bytes[data_start..data_start + compressed].to_vec(),
                compressed_size: None,
                external,
                local_name: None,
                local_method: None,
                local_size: None,
                before: Vec::new(),
            });
            at += 46 + name_len + extra_len + comment_len;
        }
        RawZip {
            prefix: Vec::new(),
            entries,
            suffix: Vec::new(),
        }
    }

    /// The entry named `name`.
    pub fn entry(&mut self, name: &str) -> &mut RawEntry {
        self.entries
            .iter_mut()
            .find(|e| e.name == name)
            .unwrap_or_else(|| panic!("no entry {name}"))
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = self.prefix.clone();
        let mut offsets = Vec::new();
        for entry in &self.entries {
            out.extend_from_slice(&entry.before);
            offsets.push(out.len() as u32);
            let name = entry.local_name.as_deref().unwrap_or(&entry.name);
            let compressed = entry.compressed_size.unwrap_or(entry.data.len() as u64) as u32;
            out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
            out.extend_from_slice(&20u16.to_le_bytes());
            out.extend_from_slice(&0x0800u16.to_le_bytes()); // UTF-8 names
            out.extend_from_slice(&entry.local_method.unwrap_or(entry.method).to_le_bytes());
            out.extend_from_slice(&0u32.to_le_bytes()); // time, date
            out.extend_from_slice(&entry.crc.to_le_bytes());
            out.extend_from_slice(&compressed.to_le_bytes());
            out.extend_from_slice(&(entry.local_size.unwrap_or(entry.size) as u32).to_le_bytes());
            out.extend_from_slice(&(name.len() as u16).to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(&entry.data);
        }
        let dir_start = out.len() as u32;
        for (entry, offset) in self.entries.iter().zip(offsets) {
            let compressed = entry.compressed_size.unwrap_or(entry.data.len() as u64) as u32;
            out.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
            out.extend_from_slice(&(3u16 << 8 | 20).to_le_bytes()); // made by Unix
            out.extend_from_slice(&20u16.to_le_bytes());
            out.extend_from_slice(&0x0800u16.to_le_bytes());
            out.extend_from_slice(&entry.method.to_le_bytes());
            out.extend_from_slice(&0u32.to_le_bytes());
            out.extend_from_slice(&entry.crc.to_le_bytes());
            out.extend_from_slice(&compressed.to_le_bytes());
            out.extend_from_slice(&(entry.size as u32).to_le_bytes());
            out.extend_from_slice(&(entry.name.len() as u16).to_le_bytes());
            out.extend_from_slice(&[0; 8]); // extra, comment, disk, internal attributes
            out.extend_from_slice(&entry.external.to_le_bytes());
            out.extend_from_slice(&offset.to_le_bytes());
            out.extend_from_slice(entry.name.as_bytes());
        }
        let dir_size = out.len() as u32 - dir_start;
        let count = self.entries.len() as u16;
        out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        out.extend_from_slice(&[0; 4]);
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&dir_size.to_le_bytes());
        out.extend_from_slice(&dir_start.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&self.suffix);
        out
    }
}
