//! The byte format of the connection targets' inputs: a setup followed by commands, read
//! front to back with explicit lengths, so that the seed generator (`seedgen/`, which includes
//! this file) can write inputs that mean something and libFuzzer's mutations stay local.
//!
//! Std only: the seed generator compiles it without the fuzz crate's dependencies.

/// Connection setup knobs, one byte each (see [`Setup::decode`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Setup {
    /// bit0 deflate, bit1 streaming, bit2 auto-pong off, bit3 keepalive,
    /// bit4 server_no_context_takeover, bit5 client_no_context_takeover,
    /// bit6 small client window, bit7 small server window.
    pub flags: u8,
    /// `max_message_size = value * 64`.
    pub max_message: u8,
    /// `max_frame_size = value * 64`.
    pub max_frame: u8,
    /// `max_pending_events = 1 + value % 8`.
    pub pending_events: u8,
    /// `write_buffer_high_water = value * 16`.
    pub high_water: u8,
    /// `write_buffer_limit = value * 64`.
    pub buffer_limit: u8,
    /// `close_timeout = value * 10 ms`; keepalive interval and timeout derive from it too.
    pub timeout: u8,
}

/// Setup bits.
pub const DEFLATE: u8 = 1;
/// Streaming receive mode.
pub const STREAMING: u8 = 2;
/// Auto-pong off.
pub const NO_AUTO_PONG: u8 = 4;
/// Keepalive on.
pub const KEEPALIVE: u8 = 8;

/// One step of a connection input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Raw bytes from the peer, fed whole to one connection and cut after each of `cuts`
    /// bytes (cyclically, 0 counting as 1) to the other.
    Receive { data: Vec<u8>, cuts: Vec<u8> },
    /// A frame from the peer, masked as its role requires unless `flags & 0x80` (then the
    /// mask bit is the wrong one); `flags`: bit4 FIN, bits5-6 RSV1/RSV2, low nibble opcode.
    Frame {
        flags: u8,
        payload: Vec<u8>,
        cuts: Vec<u8>,
    },
    /// A data frame from the peer whose payload the harness compresses (RSV1 set on the
    /// first frame): `flags` bit0 FIN, bit1 continuation, bit2 text.
    Compressed {
        flags: u8,
        payload: Vec<u8>,
        cuts: Vec<u8>,
    },
    /// `send_text` (the bytes made valid UTF-8).
    SendText(Vec<u8>),
    /// `send_binary`.
    SendBinary(Vec<u8>),
    /// `send_fragment`: `flags` bit0 FIN, bit1 text.
    SendFragment { flags: u8, payload: Vec<u8> },
    /// `send_ping`.
    Ping(Vec<u8>),
    /// `send_pong`.
    Pong(Vec<u8>),
    /// `close(code, reason)`.
    Close { code: u16, reason: Vec<u8> },
    /// The clock moves forward this many milliseconds; `handle_timeout`.
    Advance(u16),
    /// `consume_output(n)`.
    Consume(u16),
    /// `receive_eof`.
    Eof,
    /// `abort`.
    Abort,
}

/// How many command tags there are (the tag byte is taken modulo this).
const TAGS: u8 = 13;

/// A front-to-back reader; reads past the end give `None` or fewer bytes.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn u8(&mut self) -> Option<u8> {
        let (&first, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(first)
    }

    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes([self.u8()?, self.u8()?]))
    }

    /// Up to `len` bytes (fewer at the end of the input).
    fn bytes(&mut self, len: usize) -> Vec<u8> {
        let len = len.min(self.0.len());
        let (taken, rest) = self.0.split_at(len);
        self.0 = rest;
        taken.to_vec()
    }

    fn long(&mut self) -> Vec<u8> {
        let len = self.u16().unwrap_or(0);
        self.bytes(usize::from(len))
    }

    fn short(&mut self) -> Vec<u8> {
        let len = self.u8().unwrap_or(0);
        self.bytes(usize::from(len))
    }
}

/// Decodes a setup and commands; never fails (a truncated command ends the list).
pub fn decode(data: &[u8]) -> (Setup, Vec<Command>) {
    let mut r = Reader(data);
    let mut setup = [0u8; 7];
    for byte in &mut setup {
        *byte = r.u8().unwrap_or(0);
    }
    let [
        flags,
        max_message,
        max_frame,
        pending_events,
        high_water,
        buffer_limit,
        timeout,
    ] = setup;
    let setup = Setup {
        flags,
        max_message,
        max_frame,
        pending_events,
        high_water,
        buffer_limit,
        timeout,
    };
    let mut commands = Vec::new();
    while let Some(tag) = r.u8() {
        let command = match tag % TAGS {
            0 => Command::Receive {
                data: r.long(),
                cuts: r.short(),
            },
            1 => Command::Frame {
                flags: r.u8().unwrap_or(0),
                payload: r.long(),
                cuts: r.short(),
            },
            2 => Command::Compressed {
                flags: r.u8().unwrap_or(0),
                payload: r.long(),
                cuts: r.short(),
            },
            3 => Command::SendText(r.long()),
            4 => Command::SendBinary(r.long()),
            5 => Command::SendFragment {
                flags: r.u8().unwrap_or(0),
                payload: r.long(),
            },
            6 => Command::Ping(r.short()),
            7 => Command::Pong(r.short()),
            8 => Command::Close {
                code: r.u16().unwrap_or(1000),
                reason: r.short(),
            },
            9 => Command::Advance(r.u16().unwrap_or(0)),
            10 => Command::Consume(r.u16().unwrap_or(0)),
            11 => Command::Eof,
            _ => Command::Abort,
        };
        commands.push(command);
    }
    (setup, commands)
}

fn put_long(out: &mut Vec<u8>, bytes: &[u8]) {
    let len = bytes.len().min(usize::from(u16::MAX));
    out.extend_from_slice(&(len as u16).to_le_bytes());
    out.extend_from_slice(&bytes[..len]);
}

fn put_short(out: &mut Vec<u8>, bytes: &[u8]) {
    let len = bytes.len().min(255);
    out.push(len as u8);
    out.extend_from_slice(&bytes[..len]);
}

/// Encodes what [`decode`] reads back.
pub fn encode(setup: Setup, commands: &[Command]) -> Vec<u8> {
    let mut out = vec![
        setup.flags,
        setup.max_message,
        setup.max_frame,
        setup.pending_events,
        setup.high_water,
        setup.buffer_limit,
        setup.timeout,
    ];
    for command in commands {
        match command {
            Command::Receive { data, cuts } => {
                out.push(0);
                put_long(&mut out, data);
                put_short(&mut out, cuts);
            }
            Command::Frame {
                flags,
                payload,
                cuts,
            } => {
                out.extend_from_slice(&[1, *flags]);
                put_long(&mut out, payload);
                put_short(&mut out, cuts);
            }
            Command::Compressed {
                flags,
                payload,
                cuts,
            } => {
                out.extend_from_slice(&[2, *flags]);
                put_long(&mut out, payload);
                put_short(&mut out, cuts);
            }
            Command::SendText(payload) => {
                out.push(3);
                put_long(&mut out, payload);
            }
            Command::SendBinary(payload) => {
                out.push(4);
                put_long(&mut out, payload);
            }
            Command::SendFragment { flags, payload } => {
                out.extend_from_slice(&[5, *flags]);
                put_long(&mut out, payload);
            }
            Command::Ping(payload) => {
                out.push(6);
                put_short(&mut out, payload);
            }
            Command::Pong(payload) => {
                out.push(7);
                put_short(&mut out, payload);
            }
            Command::Close { code, reason } => {
                out.push(8);
                out.extend_from_slice(&code.to_le_bytes());
                put_short(&mut out, reason);
            }
            Command::Advance(ms) => {
                out.push(9);
                out.extend_from_slice(&ms.to_le_bytes());
            }
            Command::Consume(n) => {
                out.push(10);
                out.extend_from_slice(&n.to_le_bytes());
            }
            Command::Eof => out.push(11),
            Command::Abort => out.push(12),
        }
    }
    out
}

/// A frame as a peer writes it: `mask` given means masked with that key.
pub fn frame(fin: bool, rsv: u8, opcode: u8, payload: &[u8], mask: Option<[u8; 4]>) -> Vec<u8> {
    let mut out = vec![(if fin { 0x80 } else { 0 }) | (rsv & 0x70) | (opcode & 0x0f)];
    let mask_bit = if mask.is_some() { 0x80 } else { 0 };
    match payload.len() {
        len @ 0..=125 => out.push(mask_bit | len as u8),
        len @ 126..=65535 => {
            out.push(mask_bit | 0x7e);
            out.extend_from_slice(&(len as u16).to_be_bytes());
        }
        len => {
            out.push(mask_bit | 0x7f);
            out.extend_from_slice(&(len as u64).to_be_bytes());
        }
    }
    match mask {
        Some(key) => {
            out.extend_from_slice(&key);
            out.extend(payload.iter().zip(key.iter().cycle()).map(|(b, k)| b ^ k));
        }
        None => out.extend_from_slice(payload),
    }
    out
}

/// The RFC 6455 sample nonce; its `Sec-WebSocket-Accept` is [`ACCEPT`].
pub const KEY: &[u8; 16] = b"the sample nonce";
/// `base64(KEY)`.
pub const KEY_BASE64: &str = "dGhlIHNhbXBsZSBub25jZQ==";
/// The accept value for [`KEY`].
pub const ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

/// A valid upgrade request, with a permessage-deflate offer when `deflate_offer` is given.
pub fn upgrade_request(deflate_offer: Option<&str>) -> Vec<u8> {
    let mut text = format!(
        "GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\n\
         Connection: Upgrade\r\nSec-WebSocket-Key: {KEY_BASE64}\r\nSec-WebSocket-Version: 13\r\n"
    );
    if let Some(offer) = deflate_offer {
        text.push_str("Sec-WebSocket-Extensions: ");
        text.push_str(offer);
        text.push_str("\r\n");
    }
    text.push_str("\r\n");
    text.into_bytes()
}

/// A valid `101` answer to a request made with [`KEY`].
pub fn switching_response(extensions: Option<&str>) -> Vec<u8> {
    let mut text = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {ACCEPT}\r\n"
    );
    if let Some(value) = extensions {
        text.push_str("Sec-WebSocket-Extensions: ");
        text.push_str(value);
        text.push_str("\r\n");
    }
    text.push_str("\r\n");
    text.into_bytes()
}
