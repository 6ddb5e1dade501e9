//! Messages encoded once and sent to many connections (broadcast), after gorilla/websocket's
//! `PreparedMessage`.

use bytes::{Bytes, BytesMut};

use crate::frame::{MAX_HEADER_LEN, OpCode, encode_header};
use crate::message::{Message, MessageKind};

/// A data message encoded once as a complete, unmasked server frame (header and payload in
/// one [`Bytes`]), to be sent to many connections with [`Connection::send_prepared`].
///
/// On a server connection the frame is queued by reference: sending one prepared message to
/// N connections shares one allocation and copies nothing per connection (frames below
/// 4 KiB are copied next to the connection's other queued frames instead, because a copy
/// that small is cheaper than one more piece in the vectored write and keeps every
/// connection off the shared reference count). Cloning a `PreparedMessage` is cheap.
///
/// Two honest limits:
/// - **Clients** must mask every frame with a fresh key (RFC 6455 §5.3), so on a client
///   connection the payload is masked into a new buffer: one copy per connection.
/// - **Never compressed.** A prepared message is sent uncompressed (RSV1 clear) even on a
///   connection that negotiated permessage-deflate, as RFC 7692 §6 lets any message be; its
///   compressed form would depend on each connection's compression context, so it is not
///   shared. Use [`Connection::send`] where compression matters more than the shared frame.
///
/// ```
/// use std::time::Instant;
/// use wsflow_core::{Config, Connection, PreparedMessage, Role};
///
/// let prepared = PreparedMessage::new("tick");
/// let now = Instant::now();
/// let mut subscribers: Vec<Connection> =
///     (0..3).map(|_| Connection::new(Role::Server, Config::default(), now)).collect();
/// for conn in &mut subscribers {
///     conn.send_prepared(&prepared).unwrap();
///     assert_eq!(conn.pending_output(), b"\x81\x04tick");
/// }
/// ```
///
/// [`Connection::send_prepared`]: crate::Connection::send_prepared
/// [`Connection::send`]: crate::Connection::send
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedMessage {
    kind: MessageKind,
    /// Header and payload of the unmasked frame.
    frame: Bytes,
    header_len: usize,
}

impl PreparedMessage {
    /// Encodes `message` as a single unmasked frame: the payload is copied once, here.
    pub fn new(message: impl Into<Message>) -> Self {
        let message = message.into();
        let kind = message.kind();
        let opcode = opcode_of(kind);
        let payload = message.into_bytes();
        let mut frame = BytesMut::with_capacity(MAX_HEADER_LEN + payload.len());
        encode_header(&mut frame, true, 0, opcode, None, payload.len() as u64);
        let header_len = frame.len();
        frame.extend_from_slice(&payload);
        PreparedMessage {
            kind,
            frame: frame.freeze(),
            header_len,
        }
    }

    /// Text or binary.
    pub fn kind(&self) -> MessageKind {
        self.kind
    }

    /// The whole encoded frame, as a server sends it.
    pub fn frame(&self) -> &Bytes {
        &self.frame
    }

    /// The payload (a view into the frame, not a copy).
    pub fn payload(&self) -> Bytes {
        self.frame.slice(self.header_len..)
    }

    /// The payload's length in bytes.
    pub fn len(&self) -> usize {
        self.frame.len() - self.header_len
    }

    /// Whether the payload is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(crate) fn opcode(&self) -> OpCode {
        opcode_of(self.kind)
    }
}

fn opcode_of(kind: MessageKind) -> OpCode {
    match kind {
        MessageKind::Text => OpCode::Text,
        MessageKind::Binary => OpCode::Binary,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_is_header_then_payload() {
        let prepared = PreparedMessage::new(Message::Binary(Bytes::from(vec![9u8; 300])));
        assert_eq!(prepared.kind(), MessageKind::Binary);
        assert_eq!(&prepared.frame()[..4], &[0x82, 126, 1, 44]);
        assert_eq!(prepared.len(), 300);
        assert_eq!(&prepared.payload()[..], &[9u8; 300][..]);
        assert_eq!(
            prepared.payload().as_ptr(),
            prepared.frame()[4..].as_ptr(),
            "payload is a view of the frame"
        );
        let empty = PreparedMessage::new("");
        assert!(empty.is_empty());
        assert_eq!(&empty.frame()[..], &[0x81, 0]);
    }
}
