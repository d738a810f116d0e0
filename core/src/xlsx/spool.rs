//! The planned changes of an import, held compactly until they are committed.
//!
//! An import plans every row before it takes the store's write lock (so other
//! writers are not kept waiting while the sheet is read), which means the
//! planned ops must wait somewhere. As [`BatchOp`] values a million new
//! accounts take about half a gigabyte (a dozen `String`s and `Option`s each);
//! encoded here, one after another in fixed-size chunks, they take the bytes of
//! their text plus a few per field (about a fifth of that), and the chunks
//! never reallocate, so no doubling copy ever holds the spool twice.
//!
//! The spool lives in memory only: it holds passwords and 2FA keys, which must
//! not reach a temporary file.

use crate::account::{
    AccountId, AccountPatch, NewAccount, Platform, ProfileStats, Status, Timestamp,
};
use crate::secret::Secret;
use crate::store::BatchOp;

/// Bytes per chunk: large enough that the per-chunk cost vanishes, small
/// enough that a small import stays small.
const CHUNK: usize = 1 << 20;

/// Planned ops in order, encoded; read back once with [`Spool::drain`].
#[derive(Default)]
pub(crate) struct Spool {
    /// Full chunks and the one being filled (last). An op may span two chunks.
    chunks: Vec<Vec<u8>>,
    ops: usize,
}

impl Spool {
    /// Appends one op.
    pub(crate) fn push(&mut self, op: BatchOp) {
        let mut out = Encoder { spool: self };
        match op {
            BatchOp::Create(new) => {
                out.byte(0);
                out.new_account(new);
            }
            BatchOp::Update(id, patch) => {
                out.byte(1);
                out.i64(id.0);
                out.patch(patch);
            }
            BatchOp::Delete(id) => {
                out.byte(2);
                out.i64(id.0);
            }
        }
        self.ops += 1;
    }

    /// Number of ops pushed.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.ops
    }

    /// Bytes the spool holds.
    #[cfg(test)]
    fn bytes(&self) -> usize {
        self.chunks.iter().map(Vec::len).sum()
    }

    /// Yields the ops in the order they were pushed, freeing each chunk once read.
    pub(crate) fn drain(self) -> Drain {
        let mut chunks = self.chunks;
        chunks.reverse();
        Drain {
            chunks,
            at: 0,
            left: self.ops,
        }
    }

    fn put(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let chunk = match self.chunks.last_mut() {
                Some(chunk) if chunk.len() < CHUNK => chunk,
                _ => {
                    self.chunks.push(Vec::with_capacity(CHUNK));
                    self.chunks.last_mut().expect("just pushed")
                }
            };
            let room = (CHUNK - chunk.len()).min(bytes.len());
            chunk.extend_from_slice(&bytes[..room]);
            bytes = &bytes[room..];
        }
    }
}

/// Writes the fields of one op.
struct Encoder<'s> {
    spool: &'s mut Spool,
}

impl Encoder<'_> {
    fn byte(&mut self, b: u8) {
        self.spool.put(&[b]);
    }

    fn flag(&mut self, present: bool) {
        self.byte(u8::from(present));
    }

    /// LEB128: small numbers (lengths, most counts) take one byte.
    fn u64(&mut self, mut n: u64) {
        let mut buf = [0u8; 10];
        let mut len = 0;
        loop {
            let low = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                buf[len] = low;
                len += 1;
                break;
            }
            buf[len] = low | 0x80;
            len += 1;
        }
        self.spool.put(&buf[..len]);
    }

    fn i64(&mut self, n: i64) {
        // Zigzag keeps small negative numbers small too.
        self.u64(((n << 1) ^ (n >> 63)) as u64);
    }

    fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.spool.put(s.as_bytes());
    }

    fn opt<T>(&mut self, value: Option<T>, mut write: impl FnMut(&mut Self, T)) {
        self.flag(value.is_some());
        if let Some(value) = value {
            write(self, value);
        }
    }

    fn opt_str(&mut self, value: Option<&str>) {
        self.opt(value, Self::str);
    }

    fn tags(&mut self, tags: &[String]) {
        self.u64(tags.len() as u64);
        tags.iter().for_each(|t| self.str(t));
    }

    fn stats(&mut self, stats: ProfileStats) {
        // Every field by name: a field added to the type must be added here.
        let ProfileStats {
            nickname,
            country,
            followers,
            following,
            hearts,
            videos,
            friends,
            synced_at,
        } = stats;
        self.opt_str(nickname.as_deref());
        self.opt_str(country.as_deref());
        for count in [followers, following, hearts, videos, friends] {
            self.opt(count, Self::u64);
        }
        self.opt(synced_at, |e, t| e.i64(t.0));
    }

    fn new_account(&mut self, new: NewAccount) {
        let NewAccount {
            platform,
            username,
            email,
            password,
            totp_key,
            device,
            package_name,
            logged_in,
            status,
            tags,
            stats,
        } = new;
        self.byte(platform_code(platform));
        self.str(&username);
        self.opt_str(email.as_deref());
        self.opt_str(password.as_ref().map(Secret::expose));
        self.opt_str(totp_key.as_ref().map(Secret::expose));
        self.opt_str(device.as_deref());
        self.opt_str(package_name.as_deref());
        self.flag(logged_in);
        self.byte(status.sheet_value());
        self.tags(&tags);
        self.stats(stats);
    }

    fn patch(&mut self, patch: AccountPatch) {
        let AccountPatch {
            username,
            email,
            password,
            totp_key,
            device,
            package_name,
            logged_in,
            status,
            tags,
            stats,
            last_login_at,
            last_error,
        } = patch;
        self.opt(username, |e, u| e.str(&u));
        self.opt(email, |e, v| e.opt_str(v.as_deref()));
        self.opt(password, |e, v| e.opt_str(v.as_ref().map(Secret::expose)));
        self.opt(totp_key, |e, v| e.opt_str(v.as_ref().map(Secret::expose)));
        self.opt(device, |e, v| e.opt_str(v.as_deref()));
        self.opt(package_name, |e, v| e.opt_str(v.as_deref()));
        self.opt(logged_in, Self::flag);
        self.opt(status, |e, s| e.byte(s.sheet_value()));
        self.opt(tags, |e, t| e.tags(&t));
        self.opt(stats, Self::stats);
        self.opt(last_login_at, |e, v| e.opt(v, |e, t| e.i64(t.0)));
        self.opt(last_error, |e, v| e.opt_str(v.as_deref()));
    }
}

fn platform_code(platform: Platform) -> u8 {
    match platform {
        Platform::TikTok => 0,
        Platform::Instagram => 1,
    }
}

/// The ops of a [`Spool`], in order.
pub(crate) struct Drain {
    /// Chunks not yet finished, the next one last.
    chunks: Vec<Vec<u8>>,
    /// Read position in the next chunk.
    at: usize,
    left: usize,
}

impl Iterator for Drain {
    type Item = BatchOp;

    fn next(&mut self) -> Option<BatchOp> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        Some(match self.byte() {
            0 => BatchOp::Create(self.new_account()),
            1 => BatchOp::Update(AccountId(self.i64()), self.patch()),
            _ => BatchOp::Delete(AccountId(self.i64())),
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

/// Reading back what [`Encoder`] wrote. The bytes never left this process, so
/// a short read is a bug in the encoder, and panics.
impl Drain {
    fn take(&mut self, mut n: usize, out: &mut Vec<u8>) {
        while n > 0 {
            let chunk = self.chunks.last().expect("a spool op ends in its chunks");
            let part = (chunk.len() - self.at).min(n);
            out.extend_from_slice(&chunk[self.at..self.at + part]);
            self.at += part;
            n -= part;
            if self.at == chunk.len() {
                self.chunks.pop();
                self.at = 0;
            }
        }
    }

    fn byte(&mut self) -> u8 {
        let chunk = self.chunks.last().expect("a spool op ends in its chunks");
        let b = chunk[self.at];
        self.at += 1;
        if self.at == chunk.len() {
            self.chunks.pop();
            self.at = 0;
        }
        b
    }

    fn flag(&mut self) -> bool {
        self.byte() != 0
    }

    fn u64(&mut self) -> u64 {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte();
            n |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                break;
            }
        }
        n
    }

    fn i64(&mut self) -> i64 {
        let z = self.u64();
        ((z >> 1) as i64) ^ -((z & 1) as i64)
    }

    fn string(&mut self) -> String {
        let len = self.u64() as usize;
        let mut bytes = Vec::with_capacity(len);
        self.take(len, &mut bytes);
        String::from_utf8(bytes).expect("the spool holds the UTF-8 it was given")
    }

    fn opt<T>(&mut self, mut read: impl FnMut(&mut Self) -> T) -> Option<T> {
        self.flag().then(|| read(self))
    }

    fn opt_string(&mut self) -> Option<String> {
        self.opt(Self::string)
    }

    fn opt_secret(&mut self) -> Option<Secret> {
        self.opt_string().map(Secret::from)
    }

    fn status(&mut self) -> Status {
        Status::from_sheet_value(self.byte().into()).expect("the spool holds a status it wrote")
    }

    fn tags(&mut self) -> Vec<String> {
        let n = self.u64() as usize;
        (0..n).map(|_| self.string()).collect()
    }

    fn stats(&mut self) -> ProfileStats {
        ProfileStats {
            nickname: self.opt_string(),
            country: self.opt_string(),
            followers: self.opt(Self::u64),
            following: self.opt(Self::u64),
            hearts: self.opt(Self::u64),
            videos: self.opt(Self::u64),
            friends: self.opt(Self::u64),
            synced_at: self.opt(|d| Timestamp(d.i64())),
        }
    }

    fn new_account(&mut self) -> NewAccount {
        NewAccount {
            platform: match self.byte() {
                0 => Platform::TikTok,
                _ => Platform::Instagram,
            },
            username: self.string(),
            email: self.opt_string(),
            password: self.opt_secret(),
            totp_key: self.opt_secret(),
            device: self.opt_string(),
            package_name: self.opt_string(),
            logged_in: self.flag(),
            status: self.status(),
            tags: self.tags(),
            stats: self.stats(),
        }
    }

    fn patch(&mut self) -> AccountPatch {
        AccountPatch {
            username: self.opt(Self::string),
            email: self.opt(Self::opt_string),
            password: self.opt(Self::opt_secret),
            totp_key: self.opt(Self::opt_secret),
            device: self.opt(Self::opt_string),
            package_name: self.opt(Self::opt_string),
            logged_in: self.opt(Self::flag),
            status: self.opt(Self::status),
            tags: self.opt(Self::tags),
            stats: self.opt(Self::stats),
            last_login_at: self.opt(|d| d.opt(|d| Timestamp(d.i64()))),
            last_error: self.opt(Self::opt_string),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full_stats() -> ProfileStats {
        ProfileStats {
            nickname: Some("Ñico 🎵".into()),
            country: Some("DE".into()),
            followers: Some(0),
            following: Some(127),
            hearts: Some(128),
            videos: Some(u64::MAX),
            friends: None,
            synced_at: Some(Timestamp(-1)),
        }
    }

    fn ops() -> Vec<BatchOp> {
        let bare = NewAccount::new(Platform::Instagram, "bare");
        let full = NewAccount {
            platform: Platform::TikTok,
            username: "@Alice".into(),
            email: Some("a@example.com".into()),
            password: Some(Secret::from("pw:with:colons")),
            totp_key: Some(Secret::from("JBSWY3DPEHPK3PXP")),
            device: Some("10.0.0.7:5555".into()),
            package_name: Some("com.zhiliaoapp.musically.go".into()),
            logged_in: true,
            status: Status::Disabled,
            tags: vec!["warm".into(), String::new(), "é".repeat(40)],
            stats: full_stats(),
        };
        let clearing = AccountPatch {
            email: Some(None),
            password: Some(None),
            totp_key: Some(None),
            device: Some(None),
            package_name: Some(None),
            tags: Some(Vec::new()),
            last_login_at: Some(None),
            last_error: Some(None),
            ..AccountPatch::default()
        };
        let setting = AccountPatch {
            username: Some("bob".into()),
            email: Some(Some("b@example.com".into())),
            password: Some(Some(Secret::from("x"))),
            totp_key: Some(Some(Secret::from("ABCD"))),
            device: Some(Some("emulator-5554".into())),
            package_name: Some(Some("p".into())),
            logged_in: Some(false),
            status: Some(Status::Enabled),
            tags: Some(vec!["a".into()]),
            stats: Some(full_stats()),
            last_login_at: Some(Some(Timestamp(i64::MIN))),
            last_error: Some(Some("x".repeat(300))),
        };
        vec![
            BatchOp::Create(bare),
            BatchOp::Create(full),
            BatchOp::Update(AccountId(i64::MAX), clearing),
            BatchOp::Update(AccountId(1), setting),
            BatchOp::Update(AccountId(-5), AccountPatch::default()),
            BatchOp::Delete(AccountId(0)),
        ]
    }

    #[test]
    fn every_field_set_unset_or_cleared_comes_back_as_it_went_in() {
        let mut spool = Spool::default();
        ops().into_iter().for_each(|op| spool.push(op));
        assert_eq!(spool.len(), 6);
        assert_eq!(spool.drain().collect::<Vec<_>>(), ops());
    }

    /// Ops straddle chunk boundaries once the spool is over a chunk.
    #[test]
    fn ops_spanning_chunks_come_back_whole_and_in_order() {
        let mut spool = Spool::default();
        let many: Vec<BatchOp> = (0..30_000).flat_map(|_| ops()).collect();
        many.iter().cloned().for_each(|op| spool.push(op));
        assert!(spool.bytes() > 3 * CHUNK, "{} bytes", spool.bytes());
        let mut drain = spool.drain();
        assert_eq!(drain.size_hint(), (many.len(), Some(many.len())));
        for (i, op) in many.into_iter().enumerate() {
            assert_eq!(drain.next(), Some(op), "op {i}");
        }
        assert_eq!(drain.next(), None);
    }

    #[test]
    fn an_empty_spool_yields_nothing() {
        assert_eq!(Spool::default().drain().next(), None);
    }
}
