//! The file sync service (`sync:`), enough for `adb pull` and `adb push`:
//! STAT, STA2/LST2 (the banner advertises `stat_v2`), LIST, RECV, SEND, QUIT
//! (AOSP `SYNC.TXT`, `file_sync_protocol.h`).

use std::time::Duration;

use super::phone::SimPhone;
use super::transport::{Input, StreamIo};

/// Longest path a request may carry (adb's own limit).
pub const MAX_PATH: usize = 1024;
/// Largest DATA chunk, in either direction.
pub const MAX_DATA: usize = 64 * 1024;

const S_IFREG: u32 = 0o100_000;
const S_IFDIR: u32 = 0o040_000;
const ENOENT: u32 = 2;

fn id(name: &[u8; 4]) -> u32 {
    u32::from_le_bytes(*name)
}

/// Buffers WRTE payloads so requests can be read whatever their split.
struct Requests<'a> {
    io: &'a StreamIo,
    buffer: Vec<u8>,
}

impl Requests<'_> {
    /// Exactly `n` bytes, or `None` when the stream closed first.
    fn take(&mut self, n: usize) -> Option<Vec<u8>> {
        while self.buffer.len() < n {
            match self.io.read(Duration::from_millis(500)) {
                Input::Data(d) => self.buffer.extend(d),
                Input::Idle => continue,
                Input::Closed => return None,
            }
        }
        Some(self.buffer.drain(..n).collect())
    }

    /// A request header: id and length.
    fn header(&mut self) -> Option<(u32, u32)> {
        let h = self.take(8)?;
        Some((
            u32::from_le_bytes([h[0], h[1], h[2], h[3]]),
            u32::from_le_bytes([h[4], h[5], h[6], h[7]]),
        ))
    }
}

fn fail(io: &StreamIo, message: &str) {
    let mut out = b"FAIL".to_vec();
    out.extend((message.len() as u32).to_le_bytes());
    out.extend(message.as_bytes());
    let _ = io.write(&out);
}

/// Serves sync requests until QUIT, an error, or the stream closing.
pub(crate) fn serve(phone: &SimPhone, io: &StreamIo) {
    let mut requests = Requests {
        io,
        buffer: Vec::new(),
    };
    while let Some((request, len)) = requests.header() {
        if request == id(b"QUIT") {
            return;
        }
        if len as usize > MAX_PATH {
            return fail(io, "path too long");
        }
        let Some(path) = requests.take(len as usize) else {
            return;
        };
        let path = String::from_utf8_lossy(&path).into_owned();
        let ok = match &request.to_le_bytes() {
            b"STAT" => stat_v1(phone, io, &path),
            b"STA2" | b"LST2" => stat_v2(phone, io, &path, request),
            b"LIST" => list(phone, io, &path),
            b"RECV" => recv(phone, io, &path),
            b"SEND" => send(phone, &mut requests, &path),
            _ => {
                fail(io, "unknown sync request");
                false
            }
        };
        if !ok {
            return;
        }
    }
}

/// Mode and size of a path: a regular file, a directory, or nothing.
fn lookup(phone: &SimPhone, path: &str) -> Option<(u32, u64)> {
    if let Some(data) = phone.read_file(path) {
        return Some((S_IFREG | 0o660, data.len() as u64));
    }
    phone.is_dir(path).then_some((S_IFDIR | 0o771, 4096))
}

fn stat_v1(phone: &SimPhone, io: &StreamIo, path: &str) -> bool {
    let (mode, size) = lookup(phone, path).unwrap_or((0, 0));
    let mtime = if mode == 0 {
        0
    } else {
        phone.clock().now_unix() as u32
    };
    let mut out = b"STAT".to_vec();
    for field in [mode, size as u32, mtime] {
        out.extend(field.to_le_bytes());
    }
    io.write(&out).is_ok()
}

fn stat_v2(phone: &SimPhone, io: &StreamIo, path: &str, request: u32) -> bool {
    let found = lookup(phone, path);
    let (mode, size) = found.unwrap_or((0, 0));
    let error = if found.is_some() { 0 } else { ENOENT };
    let time = if found.is_some() {
        phone.clock().now_unix() as i64
    } else {
        0
    };
    let mut out = request.to_le_bytes().to_vec();
    out.extend(error.to_le_bytes());
    out.extend(0u64.to_le_bytes()); // dev
    out.extend(0u64.to_le_bytes()); // ino
    out.extend(mode.to_le_bytes());
    out.extend(1u32.to_le_bytes()); // nlink
    out.extend(2000u32.to_le_bytes()); // uid: shell
    out.extend(1015u32.to_le_bytes()); // gid: sdcard_rw
    out.extend(size.to_le_bytes());
    for _ in 0..3 {
        out.extend(time.to_le_bytes()); // atime, mtime, ctime
    }
    io.write(&out).is_ok()
}

fn list(phone: &SimPhone, io: &StreamIo, path: &str) -> bool {
    let mut out = Vec::new();
    let base = path.trim_end_matches('/');
    let now = phone.clock().now_unix() as u32;
    for name in phone.list_dir(path) {
        let (mode, size) = lookup(phone, &format!("{base}/{name}")).unwrap_or((0, 0));
        out.extend(b"DENT");
        for field in [mode, size as u32, now, name.len() as u32] {
            out.extend(field.to_le_bytes());
        }
        out.extend(name.as_bytes());
    }
    out.extend(b"DONE");
    out.extend([0u8; 16]);
    io.write(&out).is_ok()
}

fn recv(phone: &SimPhone, io: &StreamIo, path: &str) -> bool {
    let Some(data) = phone.read_file(path) else {
        let why = if phone.is_dir(path) {
            "Is a directory"
        } else {
            "No such file or directory"
        };
        fail(io, &format!("open failed: {why}"));
        return false;
    };
    let mut out = Vec::with_capacity(data.len() + data.len() / MAX_DATA * 8 + 16);
    for chunk in data.chunks(MAX_DATA) {
        out.extend(b"DATA");
        out.extend((chunk.len() as u32).to_le_bytes());
        out.extend(chunk);
    }
    out.extend(b"DONE");
    out.extend(0u32.to_le_bytes());
    io.write(&out).is_ok()
}

fn send(phone: &SimPhone, requests: &mut Requests<'_>, spec: &str) -> bool {
    let path = spec
        .rsplit_once(',')
        .map_or(spec, |(p, _mode)| p)
        .to_string();
    let mut contents = Vec::new();
    loop {
        let Some((chunk, len)) = requests.header() else {
            return false;
        };
        if chunk == id(b"DONE") {
            break;
        }
        if chunk != id(b"DATA") || len as usize > MAX_DATA {
            fail(requests.io, "invalid data message");
            return false;
        }
        let Some(data) = requests.take(len as usize) else {
            return false;
        };
        if contents.len() + data.len() > super::phone::MAX_FS_BYTES {
            fail(requests.io, "No space left on device");
            return false;
        }
        contents.extend(data);
    }
    match phone.write_file(&path, contents) {
        Ok(()) => {
            let mut out = b"OKAY".to_vec();
            out.extend(0u32.to_le_bytes());
            requests.io.write(&out).is_ok()
        }
        Err(e) => {
            fail(requests.io, &e.to_string());
            false
        }
    }
}
