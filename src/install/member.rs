//! One archive member's bytes, read straight from the wheel file: its compressed data by
//! positioned reads (`pread`, no shared file position, so several threads can unpack members of
//! one archive at once), inflated into a buffer as large as the member up to [`CHUNK`], and
//! checked at the end against the CRC-32 and the size its entry declares.
//!
//! Why not the zip crate's reader: it inflates through a 32 KiB read buffer into the caller's
//! small buffer, so zlib keeps copying its sliding window, and a reader needs `&mut` access to
//! one archive. Here a member up to [`WHOLE`] is read in one `pread` and inflated in one call
//! by libdeflate, which needs the whole input and output at hand and in return inflates about
//! 1.5 times as fast as zlib-rs (measured on the numpy, scipy, pandas, scikit-learn and
//! pydantic-core wheels: 670-735 MB/s against 420-465 MB/s). Larger members stream through
//! zlib-rs in [`CHUNK`] steps, so memory stays bounded whatever the wheel holds.
//!
//! Not done here: where the data lies (`archive.rs` checked the local header and computed
//! [`Span::data_start`]), what the bytes must hash to (RECORD, `archive.rs`).

use std::fs::File;
use std::io;
use std::sync::Mutex;

use flate2::{Decompress, FlushDecompress, Status};

/// The most bytes read or produced in one step: large enough that a typical member is one
/// step, small enough that a wheel of huge members streams in constant memory.
const CHUNK: usize = 1 << 20;

/// The largest member inflated whole: three quarters of the bytes of a data-science wheel set
/// lie in members up to this size, and a thread then holds at most twice this much.
const WHOLE: u64 = 8 << 20;

const STORED: u16 = 0;
const DEFLATED: u16 = 8;

/// Where a member's compressed data lies in the file, and what its central directory promises.
#[derive(Clone, Copy, Debug)]
pub(super) struct Span {
    pub data_start: u64,
    pub compressed: u64,
    pub method: u16,
    pub crc: u32,
}

/// Buffers and inflate state reused from member to member by one thread.
pub(super) struct Scratch {
    input: Vec<u8>,
    output: Vec<u8>,
    inflate: Decompress,
    whole: libdeflater::Decompressor,
}

/// Buffers handed from one unpack to the next, whatever thread runs it: unpacking threads come
/// and go (one per group of a big wheel), and each would otherwise allocate and zero-fill its
/// own megabytes. Reused, they are allocated once per concurrent unpack (seed-fastapi cold,
/// glibc build: peak RSS 56-62 MiB before, 50-54 MiB after, three runs each).
static SPARE: Mutex<Vec<(Vec<u8>, Vec<u8>)>> = Mutex::new(Vec::new());

/// More than the unpacks that run at once (one per core, each split in at most one group per
/// core): buffers beyond that would only be kept, never used.
const MAX_SPARE: usize = 16;

impl Scratch {
    pub(super) fn new() -> Scratch {
        let (input, output) = SPARE
            .lock()
            .ok()
            .and_then(|mut spare| spare.pop())
            .unwrap_or_default();
        Scratch {
            input,
            output,
            inflate: Decompress::new(false),
            whole: libdeflater::Decompressor::new(),
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let buffers = (
            std::mem::take(&mut self.input),
            std::mem::take(&mut self.output),
        );
        if let Ok(mut spare) = SPARE.lock() {
            if spare.len() < MAX_SPARE {
                spare.push(buffers);
            }
        }
    }
}

/// Why a member could not be streamed: its data is broken, or the sink refused a chunk.
pub(super) enum Failure<E> {
    Corrupt(String),
    Sink(E),
}

/// Streams the `size` bytes of the member at `span` to `sink`, chunk by chunk. Fails as soon as
/// the data yields more than `size`, and at the end if it yields less or fails its CRC.
pub(super) fn stream<E>(
    file: &File,
    span: &Span,
    size: u64,
    scratch: &mut Scratch,
    mut sink: impl FnMut(&[u8]) -> Result<(), E>,
) -> Result<(), Failure<E>> {
    let end = span
        .data_start
        .checked_add(span.compressed)
        .ok_or_else(|| Failure::Corrupt("the entry's data lies beyond any file size".into()))?;
    let mut crc = crc32fast::Hasher::new();
    let mut produced: u64 = 0;
    let mut emit = |bytes: &[u8], produced: &mut u64| {
        *produced += bytes.len() as u64;
        if *produced > size {
            return Err(Failure::Corrupt(
                "File is larger than its declared uncompressed size".into(),
            ));
        }
        crc.update(bytes);
        sink(bytes).map_err(Failure::Sink)
    };
    if span.method == DEFLATED && span.compressed <= WHOLE && size <= WHOLE {
        let made = inflate_whole(file, span, size as usize, scratch)?;
        emit(&scratch.output[..made], &mut produced)?;
        return finish(span, size, produced, crc);
    }
    let input_len = chunk_for(span.compressed);
    grow(&mut scratch.input, input_len);
    let mut offset = span.data_start;
    match span.method {
        STORED => {
            while offset < end {
                let n = chunk_for(end - offset).min(input_len);
                read_span(file, &mut scratch.input[..n], offset)?;
                offset += n as u64;
                emit(&scratch.input[..n], &mut produced)?;
            }
        }
        DEFLATED => {
            // One byte more than declared, so that a stream yielding too much shows at once.
            let output_len = chunk_for(size.saturating_add(1));
            grow(&mut scratch.output, output_len);
            let Scratch {
                input,
                output,
                inflate,
                ..
            } = scratch;
            inflate.reset(false);
            let (mut at, mut filled) = (0, 0);
            loop {
                if at == filled && offset < end {
                    filled = chunk_for(end - offset).min(input_len);
                    read_span(file, &mut input[..filled], offset)?;
                    offset += filled as u64;
                    at = 0;
                }
                let last = offset == end;
                // With all input at hand, Finish lets zlib skip its window when the member
                // completes within this call.
                let flush = if last {
                    FlushDecompress::Finish
                } else {
                    FlushDecompress::None
                };
                let (in_before, out_before) = (inflate.total_in(), inflate.total_out());
                let status = inflate
                    .decompress(&input[at..filled], &mut output[..output_len], flush)
                    .map_err(|e| Failure::Corrupt(format!("invalid deflate data: {e}")))?;
                let consumed = (inflate.total_in() - in_before) as usize;
                let made = (inflate.total_out() - out_before) as usize;
                at += consumed;
                if made > 0 {
                    emit(&output[..made], &mut produced)?;
                }
                match status {
                    Status::StreamEnd => break,
                    Status::Ok | Status::BufError if consumed == 0 && made == 0 => {
                        if last || at < filled {
                            return Err(Failure::Corrupt(
                                "the compressed data ends before its stream does".into(),
                            ));
                        }
                    }
                    Status::Ok | Status::BufError => {}
                }
            }
        }
        other => {
            return Err(Failure::Corrupt(format!(
                "unsupported compression method {other}"
            )))
        }
    }
    finish(span, size, produced, crc)
}

/// Inflates the whole member into `scratch.output` in one call; returns how many bytes it
/// made. The output has room for exactly `size` bytes, so a stream yielding more is refused.
fn inflate_whole<E>(
    file: &File,
    span: &Span,
    size: usize,
    scratch: &mut Scratch,
) -> Result<usize, Failure<E>> {
    let compressed = span.compressed as usize;
    grow(&mut scratch.input, compressed);
    grow(&mut scratch.output, size);
    read_span(file, &mut scratch.input[..compressed], span.data_start)?;
    scratch
        .whole
        .deflate_decompress(&scratch.input[..compressed], &mut scratch.output[..size])
        .map_err(|e| {
            Failure::Corrupt(match e {
                libdeflater::DecompressionError::InsufficientSpace => {
                    "File is larger than its declared uncompressed size".into()
                }
                libdeflater::DecompressionError::BadData => {
                    "invalid deflate data: the stream is corrupt or cut short".into()
                }
            })
        })
}

fn finish<E>(
    span: &Span,
    size: u64,
    produced: u64,
    crc: crc32fast::Hasher,
) -> Result<(), Failure<E>> {
    if produced != size {
        return Err(Failure::Corrupt(format!(
            "the member yields {produced} bytes, not the {size} its entry declares"
        )));
    }
    if crc.finalize() != span.crc {
        return Err(Failure::Corrupt(
            "the data fails its CRC-32 check (the archive is corrupt)".into(),
        ));
    }
    Ok(())
}

fn chunk_for(len: u64) -> usize {
    usize::try_from(len).map_or(CHUNK, |n| n.clamp(1, CHUNK))
}

/// Makes `buffer` at least `len` bytes long; it only ever grows, so each thread zero-fills a
/// buffer once, not once per member.
fn grow(buffer: &mut Vec<u8>, len: usize) {
    if buffer.len() < len {
        buffer.resize(len, 0);
    }
}

/// One positioned read, as `pread(2)`: no shared file position.
pub(super) use positioned::{read_at, read_exact_at};

fn read_span<E>(file: &File, buf: &mut [u8], offset: u64) -> Result<(), Failure<E>> {
    read_exact_at(file, buf, offset).map_err(|e| {
        Failure::Corrupt(if e.kind() == io::ErrorKind::UnexpectedEof {
            "the archive ends inside the entry's data".into()
        } else {
            format!("cannot read the archive: {e}")
        })
    })
}

#[cfg(unix)]
mod positioned {
    use std::os::unix::fs::FileExt;

    pub(in crate::install) fn read_exact_at(
        file: &std::fs::File,
        buf: &mut [u8],
        offset: u64,
    ) -> std::io::Result<()> {
        file.read_exact_at(buf, offset)
    }

    pub(in crate::install) fn read_at(
        file: &std::fs::File,
        buf: &mut [u8],
        offset: u64,
    ) -> std::io::Result<usize> {
        file.read_at(buf, offset)
    }
}

#[cfg(windows)]
mod positioned {
    use std::os::windows::fs::FileExt;

    pub(in crate::install) fn read_at(
        file: &std::fs::File,
        buf: &mut [u8],
        offset: u64,
    ) -> std::io::Result<usize> {
        file.seek_read(buf, offset)
    }

    pub(in crate::install) fn read_exact_at(
        file: &std::fs::File,
        mut buf: &mut [u8],
        mut offset: u64,
    ) -> std::io::Result<()> {
        while !buf.is_empty() {
            match file.seek_read(buf, offset) {
                Ok(0) => return Err(std::io::ErrorKind::UnexpectedEof.into()),
                Ok(n) => {
                    buf = &mut buf[n..];
                    offset += n as u64;
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    /// A member of `bytes` compressed with `method`, written to a file after `pad` bytes.
    fn member(bytes: &[u8], method: u16, pad: usize) -> (tempfile::NamedTempFile, Span) {
        let data = if method == DEFLATED {
            let mut encoder =
                flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
            encoder.write_all(bytes).unwrap();
            encoder.finish().unwrap()
        } else {
            bytes.to_vec()
        };
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(&vec![7u8; pad]).unwrap();
        file.write_all(&data).unwrap();
        file.write_all(b"trailing bytes of the next entry").unwrap();
        let span = Span {
            data_start: pad as u64,
            compressed: data.len() as u64,
            method,
            crc: crc32fast::hash(bytes),
        };
        (file, span)
    }

    fn read(file: &tempfile::NamedTempFile, span: &Span, size: u64) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        let mut scratch = Scratch::new();
        stream(file.as_file(), span, size, &mut scratch, |b| {
            out.extend_from_slice(b);
            Ok::<(), ()>(())
        })
        .map_err(|e| match e {
            Failure::Corrupt(m) => m,
            Failure::Sink(()) => "sink".into(),
        })?;
        Ok(out)
    }

    /// Compressible and not: text, and a pseudo-random stretch, spanning several chunks.
    fn sample(len: usize) -> Vec<u8> {
        let mut state = 0x2545_f491_u32;
        (0..len)
            .map(|i| {
                if (i / 100_000) % 2 == 0 {
                    b"def f(x):\n    return x\n"[i % 23]
                } else {
                    state ^= state << 13;
                    state ^= state >> 17;
                    state ^= state << 5;
                    state as u8
                }
            })
            .collect()
    }

    #[test]
    fn members_of_every_size_and_method_read_back_exactly() {
        let whole = WHOLE as usize;
        for len in [
            0,
            1,
            100,
            CHUNK - 1,
            CHUNK,
            CHUNK + 1,
            3 * CHUNK + 12_345,
            whole,
            whole + 1,
        ] {
            let bytes = sample(len);
            for method in [STORED, DEFLATED] {
                let (file, span) = member(&bytes, method, 33);
                let out = read(&file, &span, len as u64).unwrap();
                assert!(out == bytes, "len {len}, method {method}");
            }
        }
    }

    #[test]
    fn a_member_yielding_more_or_less_than_declared_is_refused() {
        // Inflated whole, and streamed (declared beyond WHOLE, or larger than WHOLE).
        let bytes = sample(5000);
        for method in [STORED, DEFLATED] {
            let (file, span) = member(&bytes, method, 0);
            assert_eq!(
                read(&file, &span, 4999).unwrap_err(),
                "File is larger than its declared uncompressed size"
            );
            assert_eq!(
                read(&file, &span, 5001).unwrap_err(),
                "the member yields 5000 bytes, not the 5001 its entry declares"
            );
            assert_eq!(
                read(&file, &span, WHOLE + 1).unwrap_err(),
                "the member yields 5000 bytes, not the 8388609 its entry declares"
            );
        }
        let big = sample(WHOLE as usize + 10);
        let (file, span) = member(&big, DEFLATED, 0);
        assert_eq!(
            read(&file, &span, WHOLE).unwrap_err(),
            "File is larger than its declared uncompressed size"
        );
    }

    #[test]
    fn a_wrong_crc_truncated_or_garbled_data_is_refused() {
        let bytes = sample(300_000);
        let (file, span) = member(&bytes, DEFLATED, 10);
        let wrong = Span {
            crc: span.crc ^ 1,
            ..span
        };
        assert_eq!(
            read(&file, &wrong, bytes.len() as u64).unwrap_err(),
            "the data fails its CRC-32 check (the archive is corrupt)"
        );
        let short = Span {
            compressed: span.compressed / 2,
            ..span
        };
        assert_eq!(
            read(&file, &short, bytes.len() as u64).unwrap_err(),
            "invalid deflate data: the stream is corrupt or cut short"
        );
        // Streamed in chunks, the same cut is seen as the input running out.
        let big = sample(WHOLE as usize + 1);
        let (big_file, big_span) = member(&big, DEFLATED, 10);
        let big_short = Span {
            compressed: big_span.compressed / 2,
            ..big_span
        };
        assert_eq!(
            read(&big_file, &big_short, big.len() as u64).unwrap_err(),
            "the compressed data ends before its stream does"
        );
        let beyond = Span {
            compressed: span.compressed + 1000,
            ..span
        };
        assert_eq!(
            read(&file, &beyond, bytes.len() as u64).unwrap_err(),
            "the archive ends inside the entry's data"
        );
        let garbled = Span {
            data_start: 0,
            ..span
        };
        // The padding (0x07) starts a final block of the reserved type 3.
        let err = read(&file, &garbled, bytes.len() as u64).unwrap_err();
        assert!(err.starts_with("invalid deflate data"), "{err}");
    }
}
