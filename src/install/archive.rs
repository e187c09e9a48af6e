//! Reading a wheel's zip archive as hostile input: the structure is checked before anything is
//! written, and every member's bytes are checked against the wheel's own RECORD while they are
//! written (pip, uv and `installer` do not check RECORD hashes by default).
//!
//! Checked when the archive is opened ([`open`]), from the central directory and the raw bytes:
//! * the local entries and the central directory tile the file exactly: nothing before the
//!   first local header, between entries, after the central directory, or overlapping;
//! * each local header agrees with its central directory entry (name, compression method,
//!   CRC and sizes, also those of a data descriptor);
//! * no name appears twice, also not in another case (one would overwrite the other on a
//!   case-insensitive file system, and which one wins depends on the order of extraction);
//! * no file is also the directory of another (one of them could not be written);
//! * no symbolic links or other special files (a link entry would otherwise be written as a
//!   plain file holding the link text), no encryption, only stored or deflate members;
//! * the count of entries and the sizes they declare are within [`MAX_ENTRIES`],
//!   [`MAX_TOTAL_SIZE`] and [`MAX_RATIO`].
//!
//! Checked while extracting ([`extract`], [`read_entry`]): no member yields more than its
//! declared size, and the bytes actually written stay within the same limits; the content has
//! the hash (and size) RECORD gives for it ([`Digests`]), computed on the bytes as they are
//! written, so verifying costs no second read. A member that fails is never renamed into place.
//!
//! Not done here: member-name safety and destinations (`paths.rs`, `wheel.rs`), the wheel
//! file's own hash (`fetch` did it).

use std::collections::HashMap;
use std::io::{self, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine;
use sha2::{Digest, Sha256, Sha384, Sha512};

use super::fsutil::{self, Mode};
use super::member::{self, Failure, Scratch, Span};
use super::paths::member_components;
use super::wheel::Errors;
use super::InstallError;

/// At most this many entries. The largest wheels on PyPI hold a few tens of thousands of files;
/// each entry costs memory here and a file on disk, so an archive of millions of tiny entries
/// is a denial of service, not a package.
pub(super) const MAX_ENTRIES: usize = 250_000;

/// At most this many bytes unpacked, declared and written. The largest real wheels (CUDA
/// builds of torch and the nvidia libraries) unpack to a few GiB; a zip bomb unpacks to far
/// more from a small download and would fill the disk of the machine it is installed on.
pub(super) const MAX_TOTAL_SIZE: u64 = 8 << 30;

/// A member over [`RATIO_MIN_SIZE`] may expand at most this many times its compressed size.
/// Deflate cannot exceed about 1032:1, which only long runs of one byte reach: real files
/// (even sparse data) stay well below, the payload of a bomb sits right at it.
pub(super) const MAX_RATIO: u64 = 1000;

/// Below this size the ratio is not checked: a small file of zeros is harmless.
pub(super) const RATIO_MIN_SIZE: u64 = 4 << 20;

/// A member read whole into memory (metadata, scripts to rewrite) may be at most this big.
/// Scripts can be native programs (ruff and uv ship theirs in `.data/scripts`, tens of MiB).
pub(super) const MAX_IN_MEMORY: u64 = 512 << 20;

/// Names in `.dist-info` that RECORD need not list: RECORD itself (it cannot hold its own
/// hash) and its signatures (the wheel spec allows them to be left out).
const UNLISTED_OK: [&str; 3] = ["RECORD", "RECORD.jws", "RECORD.p7s"];

/// A regular-file entry of the archive, from its central directory.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(super) struct Entry {
    pub index: usize,
    pub name: String,
    pub executable: bool,
    pub size: u64,
}

/// An open, checked wheel: the file, where each regular file's data lies (by entry index), and
/// the bytes written from it so far (the budget of [`MAX_TOTAL_SIZE`], counted on actual
/// bytes). Members are read by position, so threads may share one `Archive`, each with its
/// own [`Scratch`].
pub(super) struct Archive {
    file: fs_err::File,
    spans: HashMap<usize, Span>,
    written: AtomicU64,
}

pub(super) enum Extract {
    Io(io::Error),
    /// The archive could not be read (corrupt data, a failed CRC).
    Archive(String),
    /// The member is readable but refused (RECORD mismatch, a limit exceeded).
    Invalid(String),
}

/// Opens the wheel, checks its structure and returns its regular files in archive order.
pub(super) fn open(wheel: &Path, errors: &Errors) -> Result<(Archive, Vec<Entry>), InstallError> {
    let file = fs_err::File::open(wheel).map_err(|e| errors.io(e))?;
    let archive_len = file.metadata().map_err(|e| errors.io(e))?.len();
    let mut zip = zip::ZipArchive::new(file)
        .map_err(|e| errors.invalid(format!("not a valid zip archive: {e}")))?;
    let (entries, compressed) = read_entries(&mut zip).map_err(|m| errors.invalid(m))?;
    let mut raw = fs_err::File::open(wheel).map_err(|e| errors.io(e))?;
    let layout = check_layout(&mut zip, &mut raw, archive_len).map_err(|m| errors.invalid(m))?;
    let spans = compressed
        .into_iter()
        .filter_map(|(index, compressed)| {
            let &(data_start, method, crc) = layout.get(&index)?;
            Some((
                index,
                Span {
                    data_start,
                    compressed,
                    method,
                    crc,
                },
            ))
        })
        .collect();
    Ok((
        Archive {
            file: raw,
            spans,
            written: AtomicU64::new(0),
        },
        entries,
    ))
}

/// The central directory: every name checked, limits applied; directories dropped (pip
/// creates directories only for the files in them).
fn read_entries(
    zip: &mut zip::ZipArchive<fs_err::File>,
) -> Result<(Vec<Entry>, HashMap<usize, u64>), String> {
    if zip.len() > MAX_ENTRIES {
        return Err(format!(
            "the archive has {} entries, more than the limit of {MAX_ENTRIES}",
            zip.len()
        ));
    }
    // The zip crate keeps one of two same-named entries: which one another tool extracts is
    // anyone's guess.
    if zip.has_duplicate_names() {
        return Err("the archive holds two entries of the same name".into());
    }
    let mut entries = Vec::new();
    let mut compressed = HashMap::new();
    let mut folded: HashMap<String, String> = HashMap::new();
    let mut total: u64 = 0;
    for index in 0..zip.len() {
        let entry = zip
            .by_index_raw(index)
            .map_err(|e| format!("unreadable archive entry #{index}: {e}"))?;
        let name = entry
            .name()
            .map_err(|e| format!("archive entry #{index} has an invalid name: {e}"))?
            .into_owned();
        member_components(&name)?;
        if let Some(other) = folded.insert(name.to_lowercase(), name.clone()) {
            return Err(if other == name {
                format!("the archive names {name} more than once")
            } else {
                format!("the archive names {other} and {name}, which differ only in case")
            });
        }
        if entry.encrypted() {
            return Err(format!("{name} is encrypted"));
        }
        let method = entry.compression();
        if method != zip::CompressionMethod::Stored && method != zip::CompressionMethod::Deflated {
            return Err(format!(
                "{name} uses compression method {method} (wheels use stored or deflate)"
            ));
        }
        // The file type bits of a Unix mode (0 when the archiver wrote none).
        let mode = entry.external_attributes() >> 16;
        let file_type = mode & 0o170000;
        if file_type == 0o120000 {
            return Err(format!(
                "{name} is a symbolic link (wheels hold regular files only)"
            ));
        }
        let is_dir = name.ends_with('/');
        let type_ok = match file_type {
            0 => true,
            0o100000 => !is_dir,
            0o040000 => is_dir,
            _ => false,
        };
        if !type_ok {
            return Err(format!(
                "{name} is not a regular file or directory (mode {mode:o})"
            ));
        }
        let size = entry.size();
        total = total.saturating_add(size);
        if total > MAX_TOTAL_SIZE {
            return Err(format!(
                "the archive unpacks to more than the limit of {MAX_TOTAL_SIZE} bytes"
            ));
        }
        check_ratio(&name, size, entry.compressed_size())?;
        if is_dir {
            continue;
        }
        compressed.insert(index, entry.compressed_size());
        // pip's `zip_item_is_executable`: a regular file (S_IFREG) with any x bit.
        let executable = file_type == 0o100000 && mode & 0o111 != 0;
        entries.push(Entry {
            index,
            name,
            executable,
            size,
        });
    }
    // A file that is also the directory of another file: whichever of the two is written
    // second fails, and which one that is depends on the order of writing (`unpacked.rs`
    // writes a large wheel's members from several threads). Refused here, naming both.
    let files: std::collections::HashSet<&str> = entries.iter().map(|e| e.name.as_str()).collect();
    for entry in &entries {
        for (at, _) in entry.name.match_indices('/') {
            let dir = &entry.name[..at];
            if files.contains(dir) {
                return Err(format!(
                    "{dir} is a file and also the directory of {}",
                    entry.name
                ));
            }
        }
    }
    Ok((entries, compressed))
}

fn check_ratio(name: &str, size: u64, compressed: u64) -> Result<(), String> {
    if size > RATIO_MIN_SIZE && size / compressed.max(1) > MAX_RATIO {
        return Err(format!(
            "{name} expands from {compressed} to {size} bytes, more than {MAX_RATIO} times \
             (a decompression bomb)"
        ));
    }
    Ok(())
}

const LOCAL_SIG: u32 = 0x0403_4b50;
const DESCRIPTOR_SIG: u32 = 0x0807_4b50;
const EOCD_SIG: u32 = 0x0605_4b50;
const ZIP64_LOCATOR_SIG: u32 = 0x0706_4b50;
const ZIP64_EOCD_SIG: u32 = 0x0606_4b50;

/// Checks that the local entries, the central directory and its end record cover the whole
/// file, each local header agreeing with its central entry. The zip reader itself trusts the
/// central directory only; another tool reading local headers (or a stream unzipper) could see
/// different files, and bytes no entry accounts for are hidden content.
/// Returns where each entry's data starts, with its method and CRC, by entry index.
fn check_layout(
    zip: &mut zip::ZipArchive<fs_err::File>,
    raw: &mut fs_err::File,
    len: u64,
) -> Result<HashMap<usize, (u64, u16, u32)>, String> {
    let io = |e: io::Error| format!("cannot read the archive: {e}");
    if zip.offset() != 0 {
        return Err(format!(
            "{} bytes of unknown data precede the archive",
            zip.offset()
        ));
    }
    let (cd_end, cd_size) = end_records(raw, len).map_err(io)??;
    let dir_start = zip.central_directory_start();
    let mut locals = Vec::with_capacity(zip.len());
    for index in 0..zip.len() {
        let entry = zip
            .by_index_raw(index)
            .map_err(|e| format!("unreadable archive entry #{index}: {e}"))?;
        locals.push(Central {
            index,
            name: entry.name_raw().to_vec(),
            header_start: entry.header_start(),
            method: method_number(entry.compression()),
            crc: entry.crc32(),
            compressed: entry.compressed_size(),
            size: entry.size(),
        });
    }
    locals.sort_by_key(|c| c.header_start);
    let mut expected = 0u64;
    let mut starts = HashMap::with_capacity(locals.len());
    for central in &locals {
        if central.header_start != expected {
            return Err(gap_or_overlap(expected, central.header_start));
        }
        let (data_start, end) = check_local(raw, central).map_err(io)??;
        starts.insert(central.index, (data_start, central.method, central.crc));
        expected = end;
    }
    if expected != dir_start {
        return Err(gap_or_overlap(expected, dir_start));
    }
    if cd_end != dir_start.saturating_add(cd_size) {
        return Err("unknown data between the central directory and its end record".into());
    }
    Ok(starts)
}

/// The number of a compression method as local headers store it (all verse accepts are
/// stored and deflate; any other reaches here only to be compared, then refused).
fn method_number(method: zip::CompressionMethod) -> u16 {
    match method {
        zip::CompressionMethod::Stored => 0,
        zip::CompressionMethod::Deflated => 8,
        _ => u16::MAX,
    }
}

fn gap_or_overlap(expected: u64, found: u64) -> String {
    if found > expected {
        format!(
            "{} bytes of unknown data at offset {expected}, outside every archive entry",
            found - expected
        )
    } else {
        format!("archive entries overlap at offset {found}")
    }
}

/// What the central directory says of one entry.
struct Central {
    index: usize,
    name: Vec<u8>,
    header_start: u64,
    method: u16,
    crc: u32,
    compressed: u64,
    size: u64,
}

fn read_at(raw: &mut fs_err::File, offset: u64, len: usize) -> io::Result<Vec<u8>> {
    let mut buf = vec![0; len];
    member::read_exact_at(raw.file(), &mut buf, offset)?;
    Ok(buf)
}

/// Up to `len` bytes at `offset`, fewer only at the end of the file: one system call where a
/// seek and a read took two (this runs for every entry of every wheel).
fn read_upto(raw: &fs_err::File, offset: u64, len: usize) -> io::Result<Vec<u8>> {
    let mut buf = vec![0; len];
    let mut filled = 0;
    while filled < len {
        match member::read_at(raw.file(), &mut buf[filled..], offset + filled as u64) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    buf.truncate(filled);
    Ok(buf)
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut bytes = [0; 8];
    bytes.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(bytes)
}

/// Checks one local header (and data descriptor) against the central directory; returns the
/// offset of the entry's data and the offset just after the entry.
fn check_local(
    raw: &mut fs_err::File,
    central: &Central,
) -> io::Result<Result<(u64, u64), String>> {
    let shown = String::from_utf8_lossy(&central.name).into_owned();
    let cut_short = || Ok(Err(format!("the local header of {shown} is cut short")));
    // The header, the name the central directory gives and a typical extra field, in one read.
    let mut header = read_upto(raw, central.header_start, 30 + central.name.len() + 64)?;
    if header.len() < 30 {
        return cut_short();
    }
    if u32_at(&header, 0) != LOCAL_SIG {
        return Ok(Err(format!(
            "the central directory points {shown} at offset {}, where no local header is",
            central.header_start
        )));
    }
    let flags = u16_at(&header, 6);
    let method = u16_at(&header, 8);
    let crc = u32_at(&header, 14);
    let mut compressed = u64::from(u32_at(&header, 18));
    let mut size = u64::from(u32_at(&header, 22));
    let name_len = usize::from(u16_at(&header, 26));
    let extra_len = usize::from(u16_at(&header, 28));
    let needed = 30 + name_len + extra_len;
    if header.len() < needed {
        let more = read_upto(
            raw,
            central.header_start + header.len() as u64,
            needed - header.len(),
        )?;
        header.extend_from_slice(&more);
        if header.len() < needed {
            return cut_short();
        }
    }
    let rest = &header[30..needed];
    let (name, extra) = rest.split_at(name_len);
    if name != central.name.as_slice() {
        return Ok(Err(format!(
            "the local header of {shown} names it {}",
            String::from_utf8_lossy(name)
        )));
    }
    if method != central.method {
        return Ok(Err(format!(
            "the local header of {shown} gives another compression method ({method}, the \
             central directory {})",
            central.method
        )));
    }
    // Zip64: 0xFFFFFFFF sizes are in the extra field 0x0001 (uncompressed first).
    let zip64 = zip64_extra(extra);
    if let Some(field) = zip64 {
        let mut at = 0;
        for value in [&mut size, &mut compressed] {
            if *value == 0xFFFF_FFFF && field.len() >= at + 8 {
                *value = u64_at(field, at);
                at += 8;
            }
        }
    }
    let descriptor = flags & 0x08 != 0;
    // With a data descriptor the local fields may be zero; any value given must agree.
    let agrees = |local: u64, central: u64| local == central || (descriptor && local == 0);
    if !agrees(u64::from(crc), u64::from(central.crc))
        || !agrees(compressed, central.compressed)
        || !agrees(size, central.size)
    {
        return Ok(Err(format!(
            "the local header of {shown} gives another size or CRC than the central directory"
        )));
    }
    let data_start = central.header_start + 30 + (name_len + extra_len) as u64;
    let data_end = data_start.saturating_add(central.compressed);
    if !descriptor {
        return Ok(Ok((data_start, data_end)));
    }
    let tail = read_upto(raw, data_end, 24)?;
    let offset = if tail.len() >= 4 && u32_at(&tail, 0) == DESCRIPTOR_SIG {
        4
    } else {
        0
    };
    let width = if zip64.is_some() { 8 } else { 4 };
    let descriptor_len = offset + 4 + 2 * width;
    if tail.len() < descriptor_len {
        return Ok(Err(format!("the data descriptor of {shown} is cut short")));
    }
    let field = |at: usize| {
        if width == 8 {
            u64_at(&tail, at)
        } else {
            u64::from(u32_at(&tail, at))
        }
    };
    if u32_at(&tail, offset) != central.crc
        || field(offset + 4) != central.compressed
        || field(offset + 4 + width) != central.size
    {
        return Ok(Err(format!(
            "the data descriptor of {shown} gives another size or CRC than the central directory"
        )));
    }
    Ok(Ok((data_start, data_end + descriptor_len as u64)))
}

/// The data of the zip64 extra field (id 1) in a local extra block, if any.
fn zip64_extra(mut extra: &[u8]) -> Option<&[u8]> {
    while extra.len() >= 4 {
        let id = u16_at(extra, 0);
        let len = usize::from(u16_at(extra, 2));
        let data = extra.get(4..4 + len)?;
        if id == 1 {
            return Some(data);
        }
        extra = &extra[4 + len..];
    }
    None
}

/// Where the central directory must end and how big it is: it ends at the zip64 end record
/// if there is one, else at the end record, which (with its comment) must end the file.
fn end_records(raw: &mut fs_err::File, len: u64) -> io::Result<Result<(u64, u64), String>> {
    let tail_len = len.min(22 + 0xFFFF);
    let tail = read_at(raw, len - tail_len, tail_len as usize)?;
    // The last end record whose comment reaches exactly the end of the file.
    let found = (0..tail.len().saturating_sub(21)).rev().find(|&at| {
        u32_at(&tail, at) == EOCD_SIG && at + 22 + usize::from(u16_at(&tail, at + 20)) == tail.len()
    });
    let Some(at) = found else {
        return Ok(Err("unknown data follows the end of the archive".into()));
    };
    let eocd = len - tail_len + at as u64;
    let size = u64::from(u32_at(&tail, at + 12));
    if eocd >= 20 {
        let locator = read_at(raw, eocd - 20, 20)?;
        if u32_at(&locator, 0) == ZIP64_LOCATOR_SIG {
            let record = u64_at(&locator, 8);
            let header = match read_at(raw, record, 56) {
                Ok(h) if u32_at(&h, 0) == ZIP64_EOCD_SIG => h,
                Ok(_) | Err(_) => {
                    return Ok(Err("the zip64 end record is missing or damaged".into()))
                }
            };
            if record.saturating_add(12).saturating_add(u64_at(&header, 4)) != eocd - 20 {
                return Ok(Err(
                    "unknown data between the zip64 end record and its locator".into(),
                ));
            }
            return Ok(Ok((record, u64_at(&header, 40))));
        }
    }
    Ok(Ok((eocd, size)))
}

/// A RECORD hash: the algorithm, the digest, and the row's size if it gives one.
#[derive(Clone, Debug)]
pub(super) struct Expected {
    algorithm: Algorithm,
    digest: Vec<u8>,
    size: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Algorithm {
    Sha256,
    Sha384,
    Sha512,
}

impl Algorithm {
    fn name(self) -> &'static str {
        match self {
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha384 => "sha384",
            Algorithm::Sha512 => "sha512",
        }
    }
}

enum Hasher {
    Sha256(Sha256),
    Sha384(Sha384),
    Sha512(Sha512),
}

impl Hasher {
    fn new(algorithm: Algorithm) -> Hasher {
        match algorithm {
            Algorithm::Sha256 => Hasher::Sha256(Sha256::new()),
            Algorithm::Sha384 => Hasher::Sha384(Sha384::new()),
            Algorithm::Sha512 => Hasher::Sha512(Sha512::new()),
        }
    }

    fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(bytes),
            Hasher::Sha384(h) => h.update(bytes),
            Hasher::Sha512(h) => h.update(bytes),
        }
    }

    fn finish(self) -> Vec<u8> {
        match self {
            Hasher::Sha256(h) => h.finalize().to_vec(),
            Hasher::Sha384(h) => h.finalize().to_vec(),
            Hasher::Sha512(h) => h.finalize().to_vec(),
        }
    }
}

/// The hash RECORD gives each member, checked against the archive: every member listed (but
/// RECORD and its signatures), every row naming a member, every hash a strong one.
#[derive(Debug, Default)]
pub(super) struct Digests {
    by_name: HashMap<String, Expected>,
}

impl Digests {
    /// `rows` are RECORD's parsed rows, `entries` the archive's regular files, `dist_info`
    /// the `.dist-info` directory that holds RECORD.
    pub(super) fn from_record(
        rows: &[Vec<String>],
        entries: &[Entry],
        dist_info: &str,
    ) -> Result<Digests, String> {
        let mut by_name: HashMap<String, Expected> = HashMap::new();
        let mut seen: HashMap<&str, &str> = HashMap::new();
        let names: std::collections::HashSet<&str> =
            entries.iter().map(|e| e.name.as_str()).collect();
        for row in rows {
            let Some(path) = row.first() else { continue };
            // A directory row names no file (some old tools wrote them).
            if path.ends_with('/') {
                continue;
            }
            let hash = row.get(1).map(String::as_str).unwrap_or("");
            if let Some(previous) = seen.insert(path, hash) {
                if previous != hash {
                    return Err(format!("RECORD lists {path} twice, with different hashes"));
                }
                continue;
            }
            if !names.contains(path.as_str()) {
                return Err(format!("RECORD lists {path}, which is not in the archive"));
            }
            if hash.is_empty() {
                if unlisted_ok(path, dist_info) {
                    continue;
                }
                return Err(format!("RECORD gives no hash for {path}"));
            }
            let size = match row.get(2).map(String::as_str).unwrap_or("") {
                "" => None,
                text => Some(text.parse::<u64>().map_err(|_| {
                    format!("RECORD gives {path} the size `{text}`, which is not a number")
                })?),
            };
            let (algorithm, encoded) = hash.split_once('=').ok_or_else(|| {
                format!("RECORD gives {path} the hash `{hash}`, not `<algorithm>=<digest>`")
            })?;
            let algorithm = match algorithm {
                "sha256" => Algorithm::Sha256,
                "sha384" => Algorithm::Sha384,
                "sha512" => Algorithm::Sha512,
                other => {
                    return Err(format!(
                        "RECORD hashes {path} with {other}, which verse does not accept \
                         (sha256, sha384 or sha512)"
                    ))
                }
            };
            let digest = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(encoded.trim_end_matches('='))
                .map_err(|_| {
                    format!("RECORD gives {path} the hash `{hash}`, which is not base64")
                })?;
            by_name.insert(
                path.clone(),
                Expected {
                    algorithm,
                    digest,
                    size,
                },
            );
        }
        for entry in entries {
            if !seen.contains_key(entry.name.as_str()) && !unlisted_ok(&entry.name, dist_info) {
                return Err(format!("{} is not listed in RECORD", entry.name));
            }
        }
        Ok(Digests { by_name })
    }

    pub(super) fn get(&self, name: &str) -> Option<&Expected> {
        self.by_name.get(name)
    }
}

fn unlisted_ok(path: &str, dist_info: &str) -> bool {
    path.strip_prefix(dist_info)
        .and_then(|rest| rest.strip_prefix('/'))
        .is_some_and(|file| UNLISTED_OK.contains(&file))
}

fn b64(digest: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)
}

/// Hashes and counts a member's bytes as they go by, then compares with RECORD.
struct Check<'a> {
    name: &'a str,
    compressed: u64,
    hasher: Option<(Hasher, &'a Expected)>,
    written: u64,
}

impl<'a> Check<'a> {
    fn new(name: &'a str, compressed: u64, expected: Option<&'a Expected>) -> Check<'a> {
        Check {
            name,
            compressed,
            hasher: expected.map(|e| (Hasher::new(e.algorithm), e)),
            written: 0,
        }
    }

    /// Counts `bytes` against the member's ratio and the archive's budget (`total`, the bytes
    /// written from the archive before this member), and hashes them.
    fn update(&mut self, bytes: &[u8], total: u64) -> Result<(), String> {
        self.written += bytes.len() as u64;
        if total.saturating_add(self.written) > MAX_TOTAL_SIZE {
            return Err(format!(
                "the archive unpacks to more than the limit of {MAX_TOTAL_SIZE} bytes"
            ));
        }
        check_ratio(self.name, self.written, self.compressed)?;
        if let Some((hasher, _)) = &mut self.hasher {
            hasher.update(bytes);
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<u64, String> {
        if let Some((hasher, expected)) = self.hasher.take() {
            let algorithm = expected.algorithm.name();
            let actual = hasher.finish();
            if actual != expected.digest {
                return Err(format!(
                    "{} does not match RECORD: RECORD says {algorithm}={}, the archive holds \
                     {algorithm}={}",
                    self.name,
                    b64(&expected.digest),
                    b64(&actual)
                ));
            }
            if let Some(size) = expected.size.filter(|&s| s != self.written) {
                return Err(format!(
                    "{} does not match RECORD: RECORD says {size} bytes, the archive holds {}",
                    self.name, self.written
                ));
            }
        }
        Ok(self.written)
    }
}

/// Refuses to read a member of `size` bytes whole into memory if it is over [`MAX_IN_MEMORY`].
pub(super) fn check_in_memory(name: &str, size: u64) -> Result<(), Extract> {
    if size > MAX_IN_MEMORY {
        return Err(Extract::Invalid(format!(
            "{name} is {size} bytes, more than verse reads into memory ({MAX_IN_MEMORY})"
        )));
    }
    Ok(())
}

/// Reads a whole member into memory (metadata, scripts), checked against `expected`.
pub(super) fn read_entry(
    archive: &Archive,
    scratch: &mut Scratch,
    index: usize,
    name: &str,
    size: u64,
    expected: Option<&Expected>,
) -> Result<Vec<u8>, Extract> {
    check_in_memory(name, size)?;
    // Reserved up to 1 MiB: a declared size is a claim, the bytes decide.
    let mut out = Vec::with_capacity(usize::try_from(size.min(1 << 20)).unwrap_or(0));
    let written = checked(archive, scratch, index, name, size, expected, |bytes| {
        out.extend_from_slice(bytes);
        Ok(())
    })?;
    archive.written.fetch_add(written, Ordering::Relaxed);
    Ok(out)
}

/// Reads a member through, checking it against `expected` (and the limits), writing nothing.
pub(super) fn verify(
    archive: &Archive,
    scratch: &mut Scratch,
    index: usize,
    name: &str,
    size: u64,
    expected: Option<&Expected>,
) -> Result<(), Extract> {
    // Not counted against the budget: this member is counted when it is written.
    checked(archive, scratch, index, name, size, expected, |_| Ok(())).map(|_| ())
}

/// Streams a member into `sink` through its check: the limits (the archive's budget as it
/// stands) and its RECORD hash and size, compared at the end. Returns the bytes it yielded.
fn checked(
    archive: &Archive,
    scratch: &mut Scratch,
    index: usize,
    name: &str,
    size: u64,
    expected: Option<&Expected>,
    mut sink: impl FnMut(&[u8]) -> Result<(), Extract>,
) -> Result<u64, Extract> {
    let mut check = Check::new(name, archive.compressed(index), expected);
    let total = archive.written.load(Ordering::Relaxed);
    archive.stream(index, size, scratch, |bytes| {
        check.update(bytes, total).map_err(Extract::Invalid)?;
        sink(bytes)
    })?;
    check.finish().map_err(Extract::Invalid)
}

/// How a member's file is written.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Write {
    /// Through a temporary name renamed into place: a venv, where a refused member must
    /// leave the old file.
    Atomic,
    /// Straight to a new file: a private staging tree that is dropped whole if any member is
    /// refused (the unpacked cache).
    Staging,
}

/// Streams a member to `dest` (with `mode`), hashing it on the way: with [`Write::Atomic`], a
/// member that does not match `expected` (or fails its CRC) is never renamed into place.
#[allow(clippy::too_many_arguments)]
pub(super) fn extract(
    archive: &Archive,
    scratch: &mut Scratch,
    index: usize,
    name: &str,
    size: u64,
    mode: Mode,
    expected: Option<&Expected>,
    dest: &Path,
    how: Write,
) -> Result<(), Extract> {
    let mut refused = None;
    let mut written = 0;
    let fill = |file: &mut fs_err::File| {
        // Checked here, before `write_atomic` renames the file into place.
        let outcome = checked(archive, scratch, index, name, size, expected, |bytes| {
            io::Write::write_all(file, bytes).map_err(Extract::Io)
        });
        match outcome {
            Ok(n) => {
                written = n;
                Ok(())
            }
            Err(Extract::Io(e)) => Err(e),
            Err(other) => {
                refused = Some(other);
                Err(io::Error::other("member refused"))
            }
        }
    };
    let result = match how {
        Write::Atomic => fsutil::write_atomic(dest, mode, fill),
        Write::Staging => fsutil::write_new(dest, mode, fill),
    };
    if let Some(refused) = refused {
        return Err(refused);
    }
    result.map_err(Extract::Io)?;
    archive.written.fetch_add(written, Ordering::Relaxed);
    Ok(())
}

impl Archive {
    fn compressed(&self, index: usize) -> u64 {
        self.spans.get(&index).map_or(0, |s| s.compressed)
    }

    /// Streams the member at `index` through `sink`; broken data becomes [`Extract::Archive`].
    fn stream(
        &self,
        index: usize,
        size: u64,
        scratch: &mut Scratch,
        sink: impl FnMut(&[u8]) -> Result<(), Extract>,
    ) -> Result<(), Extract> {
        let span = self
            .spans
            .get(&index)
            .ok_or_else(|| Extract::Archive(format!("no regular file at entry #{index}")))?;
        member::stream(self.file.file(), span, size, scratch, sink).map_err(|e| match e {
            Failure::Corrupt(m) => Extract::Archive(m),
            Failure::Sink(e) => e,
        })
    }
}

/// A reader that fails if the member decompresses to more than its declared size: the bound
/// on what a crafted archive can make verse write.
pub(super) fn bounded(reader: impl Read, size: u64) -> impl Read {
    struct Bounded<R> {
        inner: R,
        left: u64,
    }
    impl<R: Read> Read for Bounded<R> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.inner.read(buf)?;
            if n as u64 > self.left {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "member is larger than its declared size",
                ));
            }
            self.left -= n as u64;
            Ok(n)
        }
    }
    Bounded {
        inner: reader,
        left: size,
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use zip::write::SimpleFileOptions;

    use super::*;
    use crate::install::wheel::errors_for;
    use crate::packaging::WheelFilename;

    fn open_bytes(bytes: &[u8]) -> Result<Vec<Entry>, String> {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("demo-1.0-py3-none-any.whl");
        std::fs::write(&path, bytes).expect("write");
        let filename: WheelFilename = "demo-1.0-py3-none-any.whl".parse().expect("filename");
        match open(&path, &errors_for(&filename)) {
            Ok((_, entries)) => Ok(entries),
            Err(InstallError::InvalidWheel { message, .. }) => Err(message),
            Err(other) => Err(other.to_string()),
        }
    }

    fn files(count: usize, options: SimpleFileOptions) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(io::Cursor::new(Vec::new()));
        for i in 0..count {
            zip.start_file(format!("demo/m{i}.py"), options)
                .expect("entry");
            zip.write_all(format!("X = {i}\n").as_bytes())
                .expect("write");
        }
        zip.finish().expect("zip").into_inner()
    }

    #[test]
    fn zip64_archives_and_local_headers_pass_the_layout_check() {
        // More than 65535 entries: zip64 end records.
        let options = SimpleFileOptions::default();
        assert_eq!(
            open_bytes(&files(70_000, options)).map(|e| e.len()),
            Ok(70_000)
        );
        // Zip64 sizes in the local headers.
        let options = SimpleFileOptions::default().large_file(true);
        assert_eq!(open_bytes(&files(3, options)).map(|e| e.len()), Ok(3));
    }

    #[test]
    fn data_descriptors_pass_the_layout_check_and_must_agree() {
        let mut zip = zip::ZipWriter::new_stream(Vec::new());
        for i in 0..3 {
            zip.start_file(format!("demo/m{i}.py"), SimpleFileOptions::default())
                .expect("entry");
            zip.write_all(b"X = 1\n").expect("write");
        }
        let bytes = zip.finish().expect("zip").into_inner();
        assert_eq!(open_bytes(&bytes).map(|e| e.len()), Ok(3));
        // The first entry's descriptor claims another CRC.
        let name_len = "demo/m0.py".len();
        assert_eq!(
            u16_at(&bytes, 6) & 0x08,
            0x08,
            "written with a data descriptor"
        );
        let compressed = bytes
            .windows(4)
            .position(|w| w == DESCRIPTOR_SIG.to_le_bytes())
            .expect("descriptor");
        assert!(compressed > 30 + name_len);
        let mut broken = bytes.clone();
        broken[compressed + 4] ^= 0xff;
        assert_eq!(
            open_bytes(&broken),
            Err(
                "the data descriptor of demo/m0.py gives another size or CRC than the \
                 central directory"
                    .into()
            )
        );
    }

    fn entry(name: &str) -> Entry {
        Entry {
            index: 0,
            name: name.into(),
            executable: false,
            size: 0,
        }
    }

    fn rows(text: &str) -> Vec<Vec<String>> {
        crate::install::record::parse(text).expect("RECORD")
    }

    #[test]
    fn record_digests_accept_strong_hashes_padding_and_unlisted_signatures() {
        let entries = [
            entry("demo/a.py"),
            entry("demo/b.py"),
            entry("demo-1.0.dist-info/RECORD"),
            entry("demo-1.0.dist-info/RECORD.jws"),
        ];
        let a = b64(&Sha512::digest(b"a"));
        let b = format!("{}=", b64(&Sha256::digest(b"b")));
        let text = format!(
            "demo/,,\ndemo/a.py,sha512={a},1\ndemo/b.py,sha256={b},\ndemo/b.py,sha256={b},\n\
             demo-1.0.dist-info/RECORD,,\n"
        );
        let digests =
            Digests::from_record(&rows(&text), &entries, "demo-1.0.dist-info").expect("accepted");
        let expected = digests.get("demo/a.py").expect("a");
        assert_eq!(
            (expected.algorithm, expected.size),
            (Algorithm::Sha512, Some(1))
        );
        let mut check = Check::new("demo/b.py", 1, digests.get("demo/b.py"));
        check.update(b"b", 0).expect("within limits");
        assert_eq!(check.finish(), Ok(1));
        let mut check = Check::new("demo/b.py", 1, digests.get("demo/b.py"));
        check.update(b"c", 0).expect("within limits");
        assert!(check.finish().is_err());
        // A row naming another hash for the same file.
        let text = format!("demo/a.py,sha512={a},1\ndemo/a.py,sha256={b},1\n");
        assert_eq!(
            Digests::from_record(&rows(&text), &entries[..1], "demo-1.0.dist-info").err(),
            Some("RECORD lists demo/a.py twice, with different hashes".into())
        );
    }
}
