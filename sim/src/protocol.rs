//! The ADB transport message: a 24-byte little-endian header and its payload.
//!
//! Header fields, in order: command, arg0, arg1, data length, data checksum
//! (the byte sum of the payload), magic (`command ^ 0xffffffff`), as AOSP's
//! `protocol.txt` describes. Reading is bounded: a payload longer than the
//! negotiated maximum is refused before a byte of it is read.
//!
//! Checksums: the Debian adb 29 server fills in the checksum of its CNXN and
//! sends 0 on every later message once the phone answers with version
//! [`A_VERSION`] (0x01000001, "checksums may be skipped"). The phones always
//! compute theirs and never require the host's.

use std::io::{self, Read};

/// `CNXN`: connect, version and maximum payload.
pub const A_CNXN: u32 = 0x4e58_4e43;
/// `AUTH`: authentication (never sent by simulated phones).
pub const A_AUTH: u32 = 0x4854_5541;
/// `OPEN`: open a stream to a service.
pub const A_OPEN: u32 = 0x4e45_504f;
/// `OKAY`: stream ready / write acknowledged.
pub const A_OKAY: u32 = 0x5941_4b4f;
/// `CLSE`: close a stream.
pub const A_CLSE: u32 = 0x4553_4c43;
/// `WRTE`: data on a stream.
pub const A_WRTE: u32 = 0x4554_5257;
/// `SYNC`: legacy transport sync (ignored).
pub const A_SYNC: u32 = 0x434e_5953;
/// `STLS`: TLS upgrade (never requested by simulated phones).
pub const A_STLS: u32 = 0x534c_5453;

/// Protocol version the phones speak: the one since which checksums may be 0.
pub const A_VERSION: u32 = 0x0100_0001;
/// Largest payload the phones accept or send (adb's `MAX_PAYLOAD`, 1 MiB).
pub const MAX_PAYLOAD: u32 = 1024 * 1024;
/// Size of the header in bytes.
pub const HEADER_LEN: usize = 24;

/// One transport message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Command (`A_CNXN`, `A_OPEN`...).
    pub command: u32,
    /// First argument (e.g. the sender's stream id).
    pub arg0: u32,
    /// Second argument (e.g. the receiver's stream id).
    pub arg1: u32,
    /// Payload.
    pub data: Vec<u8>,
}

/// Why a message could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ProtocolError {
    /// The connection failed or ended (including mid-header or mid-payload).
    #[error("connection: {0}")]
    Io(#[from] io::Error),
    /// The magic field is not `command ^ 0xffffffff`.
    #[error("bad magic {magic:#010x} for command {command:#010x}")]
    BadMagic {
        /// The command field.
        command: u32,
        /// The magic field received.
        magic: u32,
    },
    /// The payload is longer than allowed.
    #[error("payload of {len} bytes exceeds the maximum of {max}")]
    Oversized {
        /// Announced length.
        len: u32,
        /// The limit in force.
        max: u32,
    },
}

impl Message {
    /// A message with a payload.
    pub fn new(command: u32, arg0: u32, arg1: u32, data: Vec<u8>) -> Self {
        Message {
            command,
            arg0,
            arg1,
            data,
        }
    }

    /// The wire form: header followed by payload.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_LEN + self.data.len());
        out.extend_from_slice(&encode_header(
            self.command,
            self.arg0,
            self.arg1,
            self.data.len() as u32,
            checksum(&self.data),
        ));
        out.extend_from_slice(&self.data);
        out
    }

    /// Reads one message, refusing a payload longer than `max_payload`.
    pub fn read(reader: &mut impl Read, max_payload: u32) -> Result<Message, ProtocolError> {
        let mut header = [0u8; HEADER_LEN];
        reader.read_exact(&mut header)?;
        let field = |i: usize| u32::from_le_bytes(header[i * 4..i * 4 + 4].try_into().unwrap());
        let (command, arg0, arg1, len, magic) = (field(0), field(1), field(2), field(3), field(5));
        if magic != command ^ 0xffff_ffff {
            return Err(ProtocolError::BadMagic { command, magic });
        }
        if len > max_payload {
            return Err(ProtocolError::Oversized {
                len,
                max: max_payload,
            });
        }
        let mut data = vec![0u8; len as usize];
        reader.read_exact(&mut data)?;
        Ok(Message::new(command, arg0, arg1, data))
    }
}

/// A raw header, for tests that need to craft (possibly wrong) messages.
pub fn encode_header(command: u32, arg0: u32, arg1: u32, len: u32, check: u32) -> [u8; HEADER_LEN] {
    let mut out = [0u8; HEADER_LEN];
    let fields = [command, arg0, arg1, len, check, command ^ 0xffff_ffff];
    for (i, f) in fields.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&f.to_le_bytes());
    }
    out
}

/// The data checksum of the ADB protocol: the sum of the payload's bytes.
pub fn checksum(data: &[u8]) -> u32 {
    data.iter()
        .fold(0u32, |sum, &b| sum.wrapping_add(u32::from(b)))
}

/// The four-letter name of a command, for messages and logs.
pub fn command_name(command: u32) -> String {
    let bytes = command.to_le_bytes();
    if bytes.iter().all(u8::is_ascii_uppercase) {
        String::from_utf8_lossy(&bytes).into_owned()
    } else {
        format!("{command:#010x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip() {
        let msg = Message::new(A_WRTE, 7, 9, b"hello".to_vec());
        let bytes = msg.encode();
        assert_eq!(&bytes[0..4], b"WRTE");
        assert_eq!(u32::from_le_bytes(bytes[16..20].try_into().unwrap()), 532);
        let back = Message::read(&mut bytes.as_slice(), MAX_PAYLOAD).unwrap();
        assert_eq!(back, msg);
        assert_eq!(command_name(A_CNXN), "CNXN");
        assert_eq!(command_name(1), "0x00000001");
    }

    #[test]
    fn bad_headers_are_refused() {
        let mut bytes = Message::new(A_OPEN, 1, 0, b"shell:\0".to_vec()).encode();
        bytes[20] ^= 1;
        assert!(matches!(
            Message::read(&mut bytes.as_slice(), MAX_PAYLOAD),
            Err(ProtocolError::BadMagic { .. })
        ));
        let big = encode_header(A_WRTE, 1, 1, MAX_PAYLOAD + 1, 0);
        assert!(matches!(
            Message::read(&mut big.as_slice(), MAX_PAYLOAD),
            Err(ProtocolError::Oversized { .. })
        ));
        let bytes = Message::new(A_OPEN, 1, 0, b"shell:\0".to_vec()).encode();
        assert!(matches!(
            Message::read(&mut &bytes[..10], MAX_PAYLOAD),
            Err(ProtocolError::Io(_))
        ));
        assert!(matches!(
            Message::read(&mut &bytes[..26], MAX_PAYLOAD),
            Err(ProtocolError::Io(_))
        ));
    }
}
