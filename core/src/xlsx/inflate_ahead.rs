//! Inflating a workbook's large parts on a helper thread while calamine parses them.
//!
//! calamine reads a sheet's XML through the zip reader, so on its own it inflates
//! and parses one after the other on one thread; inflating is about a tenth of
//! reading a sheet. [`InflatedArchive`] shows calamine the same archive with every
//! part stored (uncompressed), and makes each part's bytes when they are read:
//! small parts are inflated on the spot, large ones by a helper thread that keeps
//! a few chunks ahead of the parser. The parts' sizes and checksums are the
//! original ones, so calamine's zip reader still checks every byte it gets.
//!
//! [`InflatedArchive::open`] declines (returns `None`) anything out of the
//! ordinary (encrypted parts, unusual compression, non-ASCII part names, sizes
//! that need zip64); the caller then reads the file directly, as before.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::Arc;

use zip::{CompressionMethod, ZipArchive};

use super::guard::Guard;
use super::limits::{self, Refused};

/// Parts up to this size are inflated whole when first read; larger ones stream.
const INFLATE_WHOLE_BYTES: u64 = 1 << 20;

/// Bytes per chunk a helper thread inflates at a time.
const CHUNK_BYTES: usize = 256 << 10;

/// Chunks a helper thread may run ahead of the parser.
const CHUNKS_AHEAD: usize = 4;

const LOCAL_HEADER: u32 = 0x0403_4b50;
const CENTRAL_HEADER: u32 = 0x0201_4b50;
const END_OF_DIRECTORY: u32 = 0x0605_4b50;
/// General-purpose flag bit 11: the name is UTF-8.
const UTF8_NAME: u16 = 1 << 11;

/// One part of the archive as shown: where its header and its bytes are.
struct Part {
    /// Index in the original archive.
    index: usize,
    /// Its name in the archive.
    name: String,
    header_at: u64,
    header: Vec<u8>,
    data_at: u64,
    size: u64,
}

/// Where the bytes of the part being read come from.
enum Source {
    /// Inflated whole.
    Whole { part: usize, bytes: Vec<u8> },
    /// Streamed from a helper thread: `offset` is where `chunk[at..]` starts.
    Stream(Stream),
}

/// A part streamed from a helper thread.
struct Stream {
    /// Which of [`InflatedArchive::parts`] it is.
    part: usize,
    /// Offset in the part of `chunk[at..]`.
    offset: u64,
    chunk: Vec<u8>,
    at: usize,
    /// Inflated chunks in order, or the error that ended the part early.
    chunks: Receiver<io::Result<Vec<u8>>>,
    /// Spent chunks, back to the helper to be filled again.
    spares: SyncSender<Vec<u8>>,
    /// The helper thread, joined when the stream is dropped.
    helper: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Stream {
    /// Hangs up, so that a helper waiting to send stops, and waits for it: no
    /// helper outlives its stream or keeps the file open after the import.
    fn drop(&mut self) {
        let (_, hung_up) = mpsc::sync_channel(0);
        drop(std::mem::replace(&mut self.chunks, hung_up));
        if let Some(helper) = self.helper.take() {
            // A helper that panicked has already ended the stream with an error.
            let _ = helper.join();
        }
    }
}

/// A zip archive shown with every part stored, inflated as it is read.
pub(crate) struct InflatedArchive {
    path: PathBuf,
    archive: ZipArchive<BufReader<File>>,
    parts: Vec<Part>,
    /// The central directory and its end record.
    directory: Vec<u8>,
    directory_at: u64,
    len: u64,
    position: u64,
    source: Option<Source>,
    /// Strings in the shared-strings table, as its guard counted them.
    strings: Arc<AtomicU64>,
}

impl InflatedArchive {
    /// The archive at `path`, or `None` when it is not one this view can show
    /// (then read the file directly: calamine reports any problem as before).
    pub(crate) fn open(path: &Path) -> Option<InflatedArchive> {
        let mut archive = open_zip(path).ok()?;
        if archive.len() >= usize::from(u16::MAX) {
            return None;
        }
        let mut parts = Vec::with_capacity(archive.len());
        let mut directory = Vec::new();
        let mut offset = 0u64;
        for index in 0..archive.len() {
            let entry = archive.by_index_raw(index).ok()?;
            let usable = !entry.encrypted()
                && matches!(
                    entry.compression(),
                    CompressionMethod::Stored | CompressionMethod::Deflated
                )
                && entry.name_raw().is_ascii();
            if !usable {
                return None;
            }
            let name = entry.name_raw().to_vec();
            let (crc, size) = (entry.crc32(), entry.size());
            let name_len = u16::try_from(name.len()).ok()?;
            let size32 = u32::try_from(size).ok()?;
            let header_at = offset;
            let header = local_header(&name, crc, size32, name_len);
            let data_at = header_at + header.len() as u64;
            offset = data_at.checked_add(size)?;
            let header_at32 = u32::try_from(header_at).ok()?;
            directory.extend(central_entry(&name, crc, size32, name_len, header_at32));
            parts.push(Part {
                index,
                name: String::from_utf8_lossy(&name).into_owned(),
                header_at,
                header,
                data_at,
                size,
            });
        }
        let directory_at = offset;
        let directory_len = u32::try_from(directory.len()).ok()?;
        let count = parts.len() as u16;
        put32(&mut directory, END_OF_DIRECTORY);
        put16(&mut directory, 0);
        put16(&mut directory, 0);
        put16(&mut directory, count);
        put16(&mut directory, count);
        put32(&mut directory, directory_len);
        put32(&mut directory, u32::try_from(directory_at).ok()?);
        put16(&mut directory, 0); // no comment
        let len = directory_at + directory.len() as u64;
        if u32::try_from(len).is_err() {
            return None; // offsets past 4 GiB would need zip64
        }
        Some(InflatedArchive {
            path: path.to_path_buf(),
            archive,
            parts,
            directory,
            directory_at,
            len,
            position: 0,
            source: None,
            strings: Arc::default(),
        })
    }

    /// Reads bytes of part `p` from offset `offset` of its data.
    fn read_part(&mut self, p: usize, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        let part = &self.parts[p];
        let want = buf.len().min((part.size - offset) as usize);
        if want == 0 {
            return Ok(0);
        }
        let reusable = match &self.source {
            Some(Source::Whole { part, .. }) => *part == p,
            Some(Source::Stream(s)) => s.part == p && s.offset <= offset,
            None => false,
        };
        if !reusable {
            self.source = Some(self.start(p)?);
        }
        match self.source.as_mut().expect("just set") {
            Source::Whole { bytes, .. } => Ok(copy_from(&mut buf[..want], bytes, offset as usize)),
            Source::Stream(stream) => stream.read_at(offset, &mut buf[..want]),
        }
    }

    /// A source for part `p` from its start, its bytes checked by a [`Guard`]
    /// before they are shown (a part claiming more than its limit is refused
    /// before anything is inflated).
    fn start(&mut self, p: usize) -> io::Result<Source> {
        let part = &self.parts[p];
        let mut guard = Guard::new(&part.name, part.size, self.strings.clone());
        guard.check_claim()?;
        if part.size <= INFLATE_WHOLE_BYTES {
            let mut bytes = Vec::with_capacity(part.size as usize);
            let entry = self
                .archive
                .by_index(part.index)
                .map_err(io::Error::other)?;
            entry.take(part.size).read_to_end(&mut bytes)?;
            guard.check(&bytes)?;
            return Ok(Source::Whole { part: p, bytes });
        }
        let (chunk_tx, chunks) = mpsc::sync_channel(CHUNKS_AHEAD);
        let (spares, spare_rx) = mpsc::sync_channel(CHUNKS_AHEAD + 2);
        let path = self.path.clone();
        let (index, size) = (part.index, part.size);
        let helper = std::thread::Builder::new()
            .name("farmhand-inflate".into())
            .spawn(move || inflate_part(&path, (index, size), guard, &chunk_tx, &spare_rx))?;
        Ok(Source::Stream(Stream {
            part: p,
            offset: 0,
            chunk: Vec::new(),
            at: 0,
            chunks,
            spares,
            helper: Some(helper),
        }))
    }
}

impl Stream {
    /// Reads from `offset`, which is at or after the stream's position.
    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        while self.offset < offset || self.at == self.chunk.len() {
            let left = self.chunk.len() - self.at;
            if self.offset < offset && left > 0 {
                let skip = left.min((offset - self.offset) as usize);
                self.at += skip;
                self.offset += skip as u64;
                continue;
            }
            match self.chunks.recv() {
                Ok(Ok(chunk)) => {
                    let spent = std::mem::replace(&mut self.chunk, chunk);
                    let _ = self.spares.try_send(spent);
                    self.at = 0;
                }
                Ok(Err(e)) => return Err(e),
                Err(_) => return Ok(0),
            }
        }
        let n = copy_from(buf, &self.chunk, self.at);
        self.at += n;
        self.offset += n as u64;
        Ok(n)
    }
}

/// The helper thread: inflates the part of the archive at `path` with this
/// index and claimed size into chunks, each checked by `guard`, until the part
/// ends, the reader hangs up, or reading or a check fails (sent on).
fn inflate_part(
    path: &Path,
    (index, size): (usize, u64),
    mut guard: Guard,
    chunks: &SyncSender<io::Result<Vec<u8>>>,
    spares: &Receiver<Vec<u8>>,
) {
    let mut archive = match open_zip(path) {
        Ok(archive) => archive,
        Err(e) => {
            let _ = chunks.send(Err(e));
            return;
        }
    };
    let mut entry = match archive.by_index(index) {
        Ok(entry) => entry.take(size),
        Err(e) => {
            let _ = chunks.send(Err(io::Error::other(e)));
            return;
        }
    };
    loop {
        let mut chunk = spares
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(CHUNK_BYTES));
        chunk.clear();
        let filled = (&mut entry)
            .take(CHUNK_BYTES as u64)
            .read_to_end(&mut chunk);
        let done = matches!(filled, Ok(0));
        let message = filled.and_then(|_| {
            guard.check(&chunk)?;
            Ok(chunk)
        });
        let failed = message.is_err();
        if done || chunks.send(message).is_err() || failed {
            return;
        }
    }
}

/// The first part of the archive at `path` that does not inflate to its
/// recorded size and checksum, with the reason; `None` when every part does
/// (or the archive cannot be opened at all, which is reported elsewhere).
/// Reads every part to its end or its limit: for error messages only.
pub(crate) fn first_damaged_part(path: &Path) -> Option<String> {
    let mut archive = open_zip(path).ok()?;
    for index in 0..archive.len() {
        let entry = match archive.by_index(index) {
            Ok(entry) => entry,
            Err(e) => return Some(format!("part {index}: {e}")),
        };
        let name = entry.name().map(|n| n.to_string()).unwrap_or_default();
        let limit = limits::part_limit(&name);
        if let Err(e) = io::copy(&mut entry.take(limit), &mut io::sink()) {
            return Some(format!("{name}: {e}"));
        }
    }
    None
}

/// Checks every XML part of the archive at `path` with a [`Guard`], the
/// shared strings first: for archives the view declines, which calamine then
/// reads directly. A part the zip reader cannot read is left for calamine to
/// report.
pub(crate) fn check_parts(path: &Path) -> Result<(), Refused> {
    let Ok(mut archive) = open_zip(path) else {
        return Ok(());
    };
    let strings = Arc::default();
    let mut order: Vec<(bool, usize)> = (0..archive.len())
        .filter_map(|index| {
            let entry = archive.by_index_raw(index).ok()?;
            let name = entry.name().ok()?.to_string();
            limits::is_xml(&name).then(|| (!limits::is_shared_strings(&name), index))
        })
        .collect();
    order.sort();
    let mut chunk = vec![0; CHUNK_BYTES];
    for (_, index) in order {
        let Ok(mut entry) = archive.by_index(index) else {
            continue;
        };
        let name = entry.name().map(|n| n.to_string()).unwrap_or_default();
        let mut guard = Guard::new(&name, entry.size(), Arc::clone(&strings));
        guard.check_claim()?;
        loop {
            match entry.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => guard.check(&chunk[..n])?,
            }
        }
    }
    Ok(())
}

impl Read for InflatedArchive {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let at = self.position;
        if at >= self.len || buf.is_empty() {
            return Ok(0);
        }
        let n = if at >= self.directory_at {
            copy_from(buf, &self.directory, (at - self.directory_at) as usize)
        } else {
            let p = self.parts.partition_point(|part| part.header_at <= at) - 1;
            let part = &self.parts[p];
            if at < part.data_at {
                copy_from(buf, &part.header, (at - part.header_at) as usize)
            } else {
                let offset = at - part.data_at;
                let n = self.read_part(p, offset, buf)?;
                if n == 0 {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "a part of the archive is shorter than its directory says",
                    ));
                }
                n
            }
        };
        self.position += n as u64;
        Ok(n)
    }
}

impl Seek for InflatedArchive {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(at) => Some(at),
            SeekFrom::End(delta) => self.len.checked_add_signed(delta),
            SeekFrom::Current(delta) => self.position.checked_add_signed(delta),
        };
        self.position = target
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek before the start"))?;
        Ok(self.position)
    }
}

/// The local header of a stored part (version 2.0, UTF-8 name, no time, no extra field).
fn local_header(name: &[u8], crc: u32, size: u32, name_len: u16) -> Vec<u8> {
    let mut header = Vec::with_capacity(30 + name.len());
    put32(&mut header, LOCAL_HEADER);
    put16(&mut header, 20); // version needed: 2.0
    put16(&mut header, UTF8_NAME);
    put16(&mut header, 0); // stored
    put32(&mut header, 0); // time and date
    put32(&mut header, crc);
    put32(&mut header, size); // compressed: stored
    put32(&mut header, size);
    put16(&mut header, name_len);
    put16(&mut header, 0); // no extra field
    header.extend_from_slice(name);
    header
}

/// The central directory entry of a stored part whose local header is at `header_at`.
fn central_entry(name: &[u8], crc: u32, size: u32, name_len: u16, header_at: u32) -> Vec<u8> {
    let mut entry = Vec::with_capacity(46 + name.len());
    put32(&mut entry, CENTRAL_HEADER);
    put16(&mut entry, 20); // made by 2.0
    put16(&mut entry, 20); // version needed: 2.0
    put16(&mut entry, UTF8_NAME);
    put16(&mut entry, 0); // stored
    put32(&mut entry, 0); // time and date
    put32(&mut entry, crc);
    put32(&mut entry, size);
    put32(&mut entry, size);
    put16(&mut entry, name_len);
    put16(&mut entry, 0); // no extra field
    put16(&mut entry, 0); // no comment
    put16(&mut entry, 0); // disk
    put16(&mut entry, 0); // internal attributes
    put32(&mut entry, 0); // external attributes
    put32(&mut entry, header_at);
    entry.extend_from_slice(name);
    entry
}

/// The archive at `path`, through the zip reader.
fn open_zip(path: &Path) -> io::Result<ZipArchive<BufReader<File>>> {
    ZipArchive::new(BufReader::new(File::open(path)?)).map_err(io::Error::other)
}

/// Copies what fits of `bytes[from..]` into `buf`; the number of bytes copied.
fn copy_from(buf: &mut [u8], bytes: &[u8], from: usize) -> usize {
    let rest = bytes.get(from..).unwrap_or_default();
    let n = buf.len().min(rest.len());
    buf[..n].copy_from_slice(&rest[..n]);
    n
}

fn put16(out: &mut Vec<u8>, value: u16) {
    out.extend_from_slice(&value.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_le_bytes());
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use zip::write::SimpleFileOptions;
    use zip::ZipWriter;

    use super::*;

    /// Bytes that compress but not to nothing, of any length.
    fn sample(len: usize, seed: u32) -> Vec<u8> {
        let mut x = seed.wrapping_mul(2_654_435_761).max(1);
        (0..len)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                if i % 3 == 0 {
                    b'a' + (x % 26) as u8
                } else {
                    b"<row r=\"1\">"[i % 11]
                }
            })
            .collect()
    }

    fn write_zip(path: &Path, parts: &[(&str, &[u8], CompressionMethod)]) {
        let mut zip = ZipWriter::new(File::create(path).unwrap());
        for (name, bytes, method) in parts {
            zip.start_file(
                *name,
                SimpleFileOptions::default().compression_method(*method),
            )
            .unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.finish().unwrap();
    }

    fn read_all(archive: &mut ZipArchive<impl Read + Seek>, name: &str) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        archive
            .by_name(name)
            .map_err(io::Error::other)?
            .read_to_end(&mut out)?;
        Ok(out)
    }

    /// Every part reads back byte for byte through a zip reader over the view,
    /// in any order and more than once: small and large, stored and deflated,
    /// empty, and one a chunk boundary splits.
    #[test]
    fn every_part_reads_back_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("book.xlsx");
        let big = sample(3 * CHUNK_BYTES + 17, 1);
        let exact = sample(INFLATE_WHOLE_BYTES as usize + CHUNK_BYTES, 2);
        let small = sample(5000, 3);
        let parts: [(&str, &[u8], CompressionMethod); 5] = [
            ("[Content_Types].xml", &small, CompressionMethod::Deflated),
            (
                "xl/worksheets/sheet1.xml",
                &big,
                CompressionMethod::Deflated,
            ),
            ("xl/empty.xml", b"", CompressionMethod::Deflated),
            ("xl/stored.bin", &exact, CompressionMethod::Stored),
            (
                "xl/sharedStrings.xml",
                &small[..100],
                CompressionMethod::Deflated,
            ),
        ];
        write_zip(&path, &parts);
        let view = InflatedArchive::open(&path).expect("an ordinary archive");
        let mut archive = ZipArchive::new(view).unwrap();
        for (name, bytes, _) in parts.iter().rev().chain(parts.iter()) {
            assert_eq!(read_all(&mut archive, name).unwrap(), *bytes, "{name}");
        }
        // A large part left half read, then another part, then it again from the start.
        let mut sheet = archive.by_name("xl/worksheets/sheet1.xml").unwrap();
        let mut half = vec![0; big.len() / 2];
        sheet.read_exact(&mut half).unwrap();
        drop(sheet);
        assert_eq!(read_all(&mut archive, "xl/empty.xml").unwrap(), b"");
        assert_eq!(
            read_all(&mut archive, "xl/worksheets/sheet1.xml").unwrap(),
            big
        );
    }

    /// A part whose stored bytes are damaged, inflated whole or streamed, fails
    /// as an error from the read: never a panic, never wrong bytes passed off
    /// as the part.
    #[test]
    fn a_damaged_part_is_a_read_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("book.xlsx");
        for len in [60_000, INFLATE_WHOLE_BYTES as usize + 3 * CHUNK_BYTES] {
            let part = sample(len, 7);
            write_zip(
                &path,
                &[(
                    "xl/worksheets/sheet1.xml",
                    &part,
                    CompressionMethod::Deflated,
                )],
            );
            let start = {
                let mut raw = ZipArchive::new(File::open(&path).unwrap()).unwrap();
                let entry = raw.by_index_raw(0).unwrap();
                entry.data_start().unwrap() + entry.compressed_size() / 2
            };
            let mut bytes = std::fs::read(&path).unwrap();
            for b in &mut bytes[start as usize..start as usize + 64] {
                *b ^= 0x5a;
            }
            std::fs::write(&path, &bytes).unwrap();
            // The zip reader may read into the first part while it opens the archive.
            let read = ZipArchive::new(InflatedArchive::open(&path).unwrap())
                .map_err(io::Error::other)
                .and_then(|mut archive| read_all(&mut archive, "xl/worksheets/sheet1.xml"));
            assert!(
                read.is_err(),
                "{len}: damaged bytes must not read back as the part"
            );
        }
    }

    /// What the view does not show is declined, for the caller to read the
    /// file directly: not a zip, and part names that are not ASCII.
    #[test]
    fn unusual_archives_are_declined() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("book.xlsx");
        std::fs::write(&path, b"not a zip at all").unwrap();
        assert!(InflatedArchive::open(&path).is_none());
        write_zip(
            &path,
            &[("xl/ünïcode.xml", b"x", CompressionMethod::Deflated)],
        );
        assert!(InflatedArchive::open(&path).is_none());
        assert!(InflatedArchive::open(&dir.path().join("missing.xlsx")).is_none());
    }
}
