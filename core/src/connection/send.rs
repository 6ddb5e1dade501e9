//! Commands: data and control frames queued for writing.

use bytes::{Bytes, BytesMut};

use super::{Connection, OutgoingMessage, Phase};
use crate::error::SendError;
use crate::extension::{Encoded, FramePosition};
use crate::frame::{MAX_CONTROL_PAYLOAD, OpCode, encode_header};
use crate::mask::apply_mask;
use crate::message::{Message, MessageKind, Utf8Bytes};
use crate::prepared::PreparedMessage;
use crate::utf8::Utf8Validator;

/// Masked payloads smaller than this are copied next to their header instead of being queued
/// as a separate piece.
const COPY_THRESHOLD: usize = 4096;

impl Connection {
    /// Queues a whole data message as one frame (compressed if an extension says so).
    ///
    /// Fails, changing nothing, after a close frame was sent or received, while a fragmented
    /// message is being sent, or while the output is above
    /// [`Config::write_buffer_limit`](crate::Config::write_buffer_limit).
    pub fn send(&mut self, message: impl Into<Message>) -> Result<(), SendError> {
        self.check_data_allowed()?;
        if self.outgoing.is_some() {
            return Err(SendError::FragmentedMessageInProgress);
        }
        let message = message.into();
        let opcode = match message.kind() {
            MessageKind::Text => OpCode::Text,
            MessageKind::Binary => OpCode::Binary,
        };
        let position = FramePosition {
            first: true,
            fin: true,
        };
        self.write_data_frame(opcode, message.into_bytes(), position, true);
        self.stats.messages_sent += 1;
        Ok(())
    }

    /// Queues a message encoded once for many connections (broadcast); the same checks as
    /// [`Self::send`], and counted as a sent message.
    ///
    /// A server queues the prepared frame by reference (no copy for frames of 4 KiB and more;
    /// smaller ones are copied next to the other queued frames). A client must mask with a
    /// fresh key, so it copies and masks the payload: one copy. The message is never
    /// compressed, even when permessage-deflate was negotiated (RSV1 clear, which RFC 7692 §6
    /// allows for any message) — see [`PreparedMessage`].
    pub fn send_prepared(&mut self, prepared: &PreparedMessage) -> Result<(), SendError> {
        self.check_data_allowed()?;
        if self.outgoing.is_some() {
            return Err(SendError::FragmentedMessageInProgress);
        }
        if self.role.masks_outgoing() {
            self.write_frame(true, 0, prepared.opcode(), prepared.payload());
        } else {
            self.output.push_frame(prepared.frame().clone());
        }
        self.stats.messages_sent += 1;
        Ok(())
    }

    /// Queues a text message. See [`Self::send`].
    pub fn send_text(&mut self, text: impl Into<Utf8Bytes>) -> Result<(), SendError> {
        self.send(Message::Text(text.into()))
    }

    /// Queues a binary message. See [`Self::send`].
    pub fn send_binary(&mut self, data: impl Into<Bytes>) -> Result<(), SendError> {
        self.send(Message::Binary(data.into()))
    }

    /// Queues one fragment of a message that is streamed out in pieces: the first call starts
    /// a message of `kind`, later calls continue it (with the same `kind`), and the call with
    /// `fin` ends it. Text fragments may split a character, but the message as a whole must be
    /// valid UTF-8: a fragment that makes it invalid is refused. Control frames and `close`
    /// may be interleaved; other data messages must wait.
    pub fn send_fragment(
        &mut self,
        kind: MessageKind,
        payload: impl Into<Bytes>,
        fin: bool,
    ) -> Result<(), SendError> {
        self.check_data_allowed()?;
        let payload = payload.into();
        let (first, transformed_so_far, mut utf8) = match &self.outgoing {
            Some(outgoing) if outgoing.kind != kind => {
                return Err(SendError::FragmentedMessageInProgress);
            }
            Some(outgoing) => (false, outgoing.transformed, outgoing.utf8.clone()),
            None => (true, false, Utf8Validator::new()),
        };
        if kind == MessageKind::Text {
            utf8.feed(&payload).map_err(|_| SendError::InvalidUtf8)?;
            if fin && !utf8.is_complete() {
                return Err(SendError::InvalidUtf8);
            }
        }
        let opcode = match (first, kind) {
            (false, _) => OpCode::Continuation,
            (true, MessageKind::Text) => OpCode::Text,
            (true, MessageKind::Binary) => OpCode::Binary,
        };
        let position = FramePosition { first, fin };
        let transformed =
            self.write_data_frame(opcode, payload, position, first || transformed_so_far);
        if fin {
            self.stats.messages_sent += 1;
        }
        self.outgoing = (!fin).then_some(OutgoingMessage {
            kind,
            transformed,
            utf8,
        });
        Ok(())
    }

    /// Queues a ping (payload ≤ 125 bytes). Allowed until a close frame has been sent.
    pub fn send_ping(&mut self, payload: impl Into<Bytes>) -> Result<(), SendError> {
        let payload = payload.into();
        self.check_control_allowed(payload.len())?;
        self.write_frame(true, 0, OpCode::Ping, payload);
        Ok(())
    }

    /// Queues an unsolicited pong (payload ≤ 125 bytes), or answers a ping when auto-pong
    /// is off.
    pub fn send_pong(&mut self, payload: impl Into<Bytes>) -> Result<(), SendError> {
        let payload = payload.into();
        self.check_control_allowed(payload.len())?;
        self.write_frame(true, 0, OpCode::Pong, payload);
        Ok(())
    }

    fn check_data_allowed(&self) -> Result<(), SendError> {
        if matches!(self.phase, Phase::Handshake(_)) {
            return Err(SendError::NotOpen);
        }
        if self.is_closed() || self.close_sent.is_some() || self.failure.is_some() {
            return Err(SendError::Closed);
        }
        let buffered = self.output.len();
        if buffered > self.config.write_buffer_limit {
            return Err(SendError::BufferFull {
                buffered,
                limit: self.config.write_buffer_limit,
            });
        }
        Ok(())
    }

    pub(super) fn check_control_allowed(&self, len: usize) -> Result<(), SendError> {
        if matches!(self.phase, Phase::Handshake(_)) {
            return Err(SendError::NotOpen);
        }
        if self.is_closed() || self.close_sent.is_some() {
            return Err(SendError::Closed);
        }
        if len > MAX_CONTROL_PAYLOAD {
            return Err(SendError::ControlPayloadTooLarge(len));
        }
        Ok(())
    }

    /// Answers a ping. Pongs are queued while the output is below its high-water mark; above
    /// it only the newest one is kept, so a peer that pings without reading cannot grow our
    /// memory.
    pub(super) fn queue_pong(&mut self, payload: Bytes) {
        if self.close_sent.is_some() || self.is_closed() {
            return;
        }
        if self.is_above_high_water() {
            self.pending_pong = Some(payload);
        } else {
            self.write_frame(true, 0, OpCode::Pong, payload);
        }
    }

    /// Runs the payload through the extension when `may_transform`; returns whether it did.
    fn write_data_frame(
        &mut self,
        opcode: OpCode,
        payload: Bytes,
        position: FramePosition,
        may_transform: bool,
    ) -> bool {
        if may_transform {
            if let Some(extension) = &mut self.extension {
                let mut encoded = BytesMut::new();
                if let Encoded::Transformed { rsv } =
                    extension.encode(&payload, position, &mut encoded)
                {
                    let rsv = if position.first { rsv } else { 0 };
                    self.write_frame(position.fin, rsv, opcode, encoded.freeze());
                    return true;
                }
            }
        }
        self.write_frame(position.fin, 0, opcode, payload);
        false
    }

    /// Appends one frame to the output, masking it when we are a client. A frame is queued
    /// whole or not at all, so the wire never carries half a frame.
    pub(super) fn write_frame(&mut self, fin: bool, rsv: u8, opcode: OpCode, payload: Bytes) {
        let key = self.role.masks_outgoing().then(|| self.masks.next_key());
        let len = payload.len() as u64;
        self.output
            .append_with(|tail| encode_header(tail, fin, rsv, opcode, key, len));
        match key {
            None => self.output.push_payload(payload),
            Some(key) if payload.len() < COPY_THRESHOLD => {
                self.output.append_with(|tail| {
                    let start = tail.len();
                    tail.extend_from_slice(&payload);
                    if let Some(copied) = tail.get_mut(start..) {
                        apply_mask(copied, key, 0);
                    }
                });
            }
            Some(key) => {
                // Mask in place when the caller handed over the only reference.
                let mut owned = payload
                    .try_into_mut()
                    .unwrap_or_else(|shared| BytesMut::from(&shared[..]));
                apply_mask(&mut owned, key, 0);
                self.output.push_payload(owned.freeze());
            }
        }
    }
}
