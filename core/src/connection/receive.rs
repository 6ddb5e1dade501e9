//! Input: frames parsed from received bytes, turned into events.

use std::time::Instant;

use bytes::BytesMut;

use super::input::InputBuffer;
use super::{Connection, IncomingFrame, IncomingMessage, Phase};
use crate::close::CloseFrame;
use crate::config::ReceiveMode;
use crate::error::ProtocolError;
use crate::event::Event;
use crate::frame::{FrameHeader, OpCode};
use crate::mask::apply_mask;
use crate::message::{Message, MessageKind, Utf8Bytes};
use crate::utf8::Utf8Validator;

/// An input buffer that is empty but holds more than this much memory is released, so an
/// idle connection does not keep the memory of its largest message.
pub(super) const RETAINED_INPUT_CAPACITY: usize = 16 << 10;
/// While a single-frame message arrives, the input buffer is grown at once to hold the rest
/// of its payload, up to this much: one allocation, and a payload up to this size that is
/// never moved once it is in (it is read straight into place, see `lend_receive_buffer`).
/// What is reserved is address space: memory is written only as bytes arrive (the lent
/// space grows with them), so a peer that merely announces a huge frame gets little.
/// Larger payloads grow the buffer as they arrive.
pub(super) const RESERVE_AHEAD_LIMIT: u64 = 1 << 20;

impl Connection {
    /// Feeds bytes read from the transport. Never fails: a protocol violation fails the
    /// connection (a close frame with the right code is queued and [`Event::Closed`] follows).
    pub fn receive(&mut self, now: Instant, data: &[u8]) {
        if !self.admit_input(now, data.len()) {
            return;
        }
        if matches!(self.phase, Phase::Handshake(_)) {
            return self.receive_opening(now, data);
        }
        self.keepalive.last_seen = Some(now);
        if self.discarding {
            return;
        }
        self.input.extend_from_slice(data);
        self.process_input(now);
    }

    /// What [`Self::receive`] and [`Self::receive_lent`] do first for `len` new bytes:
    /// whether they are taken at all (not after the connection closed or the read side
    /// ended), and counting them.
    pub(super) fn admit_input(&mut self, now: Instant, len: usize) -> bool {
        self.latest_now = now;
        if self.is_closed() || self.eof || len == 0 {
            return false;
        }
        self.stats.bytes_received += len as u64;
        true
    }

    /// Reports that the transport's read side ended (the peer sent a FIN or the socket
    /// closed). Buffered input is processed first; then the connection closes with the
    /// cause that fits its state (1006 unless the close handshake completed).
    pub fn receive_eof(&mut self, now: Instant) {
        self.latest_now = now;
        if self.is_closed() || self.eof {
            return;
        }
        self.eof = true;
        if matches!(self.phase, Phase::Handshake(_)) {
            return self.opening_eof();
        }
        self.process_input(now);
    }

    /// Parses buffered input until it runs out, the event queue is full, or input is to be
    /// discarded; then acts on a pending EOF.
    pub(super) fn process_input(&mut self, now: Instant) {
        if matches!(self.phase, Phase::Handshake(_)) {
            return;
        }
        // Fixed for this pass: it changes only when a close frame goes out, and parsing
        // stops then anyway (a close reply discards the rest of the input).
        let limit = self.event_limit();
        while !self.discarding && !self.is_closed() {
            if self.events.len() >= limit {
                // Backpressure: resume when the application drains events.
                return;
            }
            match self.step() {
                Ok(true) => {}
                Ok(false) => break,
                Err(error) => {
                    self.discard_input();
                    self.pending_failure = Some(error);
                }
            }
        }
        if self.discarding {
            self.input.clear();
        }
        // A burst of small frames can leave a large empty buffer behind: release it. Not
        // while large messages come one after another: what looks like spare capacity then
        // is the block the next of them will reuse (see `input_block`).
        if self.input.is_empty()
            && self.input.capacity() > RETAINED_INPUT_CAPACITY
            && self.input_block <= RETAINED_INPUT_CAPACITY as u64
        {
            self.input = InputBuffer::default();
        }
        if self.events.is_empty() {
            if let Some(error) = self.pending_failure.take() {
                self.fail(now, error);
            } else if let Some(frame) = self.pending_close.take() {
                self.on_close_frame(frame);
            }
        }
        if self.eof && self.pending_failure.is_none() && self.pending_close.is_none() {
            self.on_eof();
        }
    }

    /// Whether [`Self::process_input`] could change anything without new input: bytes or a
    /// frame left unparsed (at the event limit), a held-back failure or close, a pending
    /// EOF, or a large empty input buffer to release. Checked before every poll for an
    /// event, so that the usual case (all parsed, queue drained) costs a few loads.
    #[inline]
    pub(super) fn parsing_may_resume(&self) -> bool {
        !self.input.is_empty()
            || self.frame.is_some()
            || self.pending_failure.is_some()
            || self.pending_close.is_some()
            || self.eof
            || self.input.capacity() > RETAINED_INPUT_CAPACITY
    }

    /// Stops parsing: whatever arrives from now on is dropped unread.
    pub(super) fn discard_input(&mut self) {
        self.discarding = true;
        self.input.clear();
        self.frame = None;
        self.message = None;
    }

    /// One unit of parsing progress. `Ok(false)`: more input is needed.
    fn step(&mut self) -> Result<bool, ProtocolError> {
        let frame = if let Some(frame) = self.frame {
            frame
        } else {
            if self.input.is_empty() {
                return Ok(false);
            }
            let rules = self.header_rules();
            let (consumed, header) = self.decoder.decode(&self.input, rules);
            self.input.advance(consumed);
            let Some(header) = header else {
                return Ok(false);
            };
            let frame = self.begin_frame(header?)?;
            if self.events.len() >= self.event_limit() {
                // At the limit: the payload waits, as it would for the next pass.
                return Ok(true);
            }
            // Straight on to the payload, usually here already: one pass per frame.
            frame
        };
        if frame.header.opcode.is_control() {
            self.step_control(frame)
        } else {
            self.step_data(frame)
        }
    }

    /// Message-level checks that need the frame's context, made before any payload is read;
    /// returns the new frame, also kept as the frame in progress.
    fn begin_frame(&mut self, header: FrameHeader) -> Result<IncomingFrame, ProtocolError> {
        if !header.opcode.is_control() {
            let max_fragments = self.config.max_fragments_per_message;
            match (header.opcode, &mut self.message) {
                (OpCode::Continuation, None) => return Err(ProtocolError::UnexpectedContinuation),
                (OpCode::Continuation, Some(_)) if header.rsv != 0 => {
                    // Extensions set RSV bits on a message's first frame only.
                    return Err(ProtocolError::ReservedBitsSet(header.rsv >> 4));
                }
                (OpCode::Continuation, Some(message)) => {
                    message.fragments += 1;
                    if message.fragments > max_fragments {
                        return Err(ProtocolError::TooManyFragments { max: max_fragments });
                    }
                }
                (_, Some(_)) => return Err(ProtocolError::ExpectedContinuation),
                (opcode, None) => {
                    let transformed = match &mut self.extension {
                        Some(extension) => extension.begin_message(header.rsv),
                        None => false,
                    };
                    self.message = Some(IncomingMessage {
                        kind: if opcode == OpCode::Text {
                            MessageKind::Text
                        } else {
                            MessageKind::Binary
                        },
                        transformed,
                        fragments: 1,
                        size: 0,
                        buffer: BytesMut::new(),
                        utf8: Utf8Validator::new(),
                    });
                }
            }
            if let Some(message) = &self.message {
                let max = self.config.max_message_size;
                if !message.transformed && message.size.saturating_add(header.payload_len) > max {
                    return Err(ProtocolError::MessageTooLarge { max });
                }
            }
        }
        let frame = IncomingFrame {
            header,
            remaining: header.payload_len,
            checked: 0,
            offset: 0,
        };
        self.frame = Some(frame);
        Ok(frame)
    }

    /// A control frame is handled once its whole payload (≤ 125 bytes) is buffered.
    fn step_control(&mut self, frame: IncomingFrame) -> Result<bool, ProtocolError> {
        let len = frame.remaining as usize;
        if self.input.len() < len {
            return Ok(false);
        }
        let mut payload = self.input.split_to(len);
        if let Some(key) = frame.header.mask {
            apply_mask(&mut payload, key, 0);
        }
        self.frame = None;
        let payload = payload.freeze();
        match frame.header.opcode {
            OpCode::Ping => {
                if self.config.auto_pong {
                    self.queue_pong(payload.clone());
                }
                self.events.push_back(Event::Ping(payload));
            }
            OpCode::Pong => {
                self.on_pong(&payload);
                self.events.push_back(Event::Pong(payload));
            }
            _ => {
                let close = CloseFrame::parse(&payload)?;
                if self.events.is_empty() || self.close_sent.is_some() {
                    self.on_close_frame(close);
                } else {
                    // Events before it are still undelivered: the application may answer
                    // them before our close reply (see `pending_close`). Nothing may follow
                    // a close frame, so parsing stops here.
                    self.discard_input();
                    self.pending_close = Some(close);
                    let timeout = self.config.close_timeout;
                    self.close_deadline = Some(self.latest_now + timeout);
                }
            }
        }
        Ok(true)
    }

    fn step_data(&mut self, mut frame: IncomingFrame) -> Result<bool, ProtocolError> {
        let Some(message) = &mut self.message else {
            return Err(ProtocolError::UnexpectedContinuation);
        };
        let available = (self.input.len() as u64).min(frame.remaining) as usize;
        let frame_done = available as u64 == frame.remaining;
        if available == 0 && !frame_done {
            return Ok(false);
        }
        let single_frame = frame.header.fin && message.fragments == 1;
        let whole = self.config.receive_mode == ReceiveMode::WholeMessages;
        if whole && single_frame && !message.transformed {
            // Zero-copy path: the payload stays in the input buffer, unmasked and validated
            // as it arrives, and is handed out as a slice of it once complete.
            if let Some(fresh) = self.input.get_mut(frame.checked..available) {
                if let Some(key) = frame.header.mask {
                    let offset = (frame.offset + frame.checked as u64) % 4;
                    apply_mask(fresh, key, offset as usize);
                }
                if message.kind == MessageKind::Text {
                    message
                        .utf8
                        .feed(fresh)
                        .map_err(|_| ProtocolError::InvalidUtf8)?;
                }
            }
            frame.checked = available;
            if !frame_done {
                let ahead = (frame.remaining - available as u64).min(RESERVE_AHEAD_LIMIT);
                // `ahead` is at most RESERVE_AHEAD_LIMIT, so the cast cannot truncate.
                self.input.reserve(ahead as usize);
                self.input_block = self.input_block.max(frame.remaining);
                self.frame = Some(frame);
                return Ok(false);
            }
            self.frame = None;
            let payload = self.input.split_to(available).freeze();
            if self.input.is_empty()
                && available <= RETAINED_INPUT_CAPACITY
                && self.input_block > RETAINED_INPUT_CAPACITY as u64
            {
                // Large messages stopped coming: let the block they shared go with the
                // last of them, instead of keeping it for an idle connection.
                self.input = InputBuffer::default();
                self.input_block = 0;
            }
            let message_kind = message.kind;
            let complete = message.utf8.is_complete();
            self.message = None;
            if !complete {
                return Err(ProtocolError::InvalidUtf8);
            }
            self.stats.messages_received += 1;
            self.events.push_back(Event::Message(match message_kind {
                MessageKind::Text => Message::Text(Utf8Bytes::from_validated(payload)),
                MessageKind::Binary => Message::Binary(payload),
            }));
            return Ok(true);
        }

        // Every other case consumes what has arrived.
        let mut data = self.input.split_to(available);
        if let Some(key) = frame.header.mask {
            apply_mask(&mut data, key, (frame.offset % 4) as usize);
        }
        frame.offset += available as u64;
        frame.remaining -= available as u64;
        self.frame = (!frame_done).then_some(frame);
        let fin = frame_done && frame.header.fin;
        let appended_from = message.buffer.len();
        if message.transformed {
            let max = self.config.max_message_size;
            let limit = max.saturating_sub(message.size);
            let limit = usize::try_from(limit).unwrap_or(usize::MAX);
            if let Some(extension) = &mut self.extension {
                if let Err(error) = extension.decode(&data, fin, &mut message.buffer, limit) {
                    // What was inflated before the failure is judged first: in pieces, those
                    // bytes were validated as they came, before the limit (or the corruption)
                    // was reached; whole, they come out in the same call that fails. Without
                    // this a text message invalid before its limit closed 1009 when it came
                    // whole and 1007 in pieces (found by the connection_server fuzzer).
                    if message.kind == MessageKind::Text {
                        let fresh = message.buffer.get(appended_from..).unwrap_or_default();
                        message
                            .utf8
                            .feed(fresh)
                            .map_err(|_| ProtocolError::InvalidUtf8)?;
                    }
                    return Err(match error {
                        ProtocolError::MessageTooLarge { .. } => {
                            ProtocolError::MessageTooLarge { max }
                        }
                        other => other,
                    });
                }
            }
        } else {
            message.buffer.extend_from_slice(&data);
        }
        let fresh = message.buffer.get(appended_from..).unwrap_or_default();
        message.size += fresh.len() as u64;
        if message.size > self.config.max_message_size {
            return Err(ProtocolError::MessageTooLarge {
                max: self.config.max_message_size,
            });
        }
        if message.kind == MessageKind::Text {
            message
                .utf8
                .feed(fresh)
                .map_err(|_| ProtocolError::InvalidUtf8)?;
            if fin && !message.utf8.is_complete() {
                return Err(ProtocolError::InvalidUtf8);
            }
        }
        if whole {
            if fin {
                let payload = message.buffer.split().freeze();
                let kind = message.kind;
                self.message = None;
                self.stats.messages_received += 1;
                self.events.push_back(Event::Message(match kind {
                    MessageKind::Text => Message::Text(Utf8Bytes::from_validated(payload)),
                    MessageKind::Binary => Message::Binary(payload),
                }));
            }
            return Ok(true);
        }
        // Streaming: hand out what is complete, holding back a partial UTF-8 character.
        let held = if message.kind == MessageKind::Text {
            message.utf8.incomplete_len()
        } else {
            0
        };
        let ready = message.buffer.len() - held;
        if ready > 0 || fin {
            let chunk = message.buffer.split_to(ready).freeze();
            let kind = message.kind;
            if fin {
                self.message = None;
            }
            if fin {
                self.stats.messages_received += 1;
            }
            self.events.push_back(Event::MessageChunk {
                chunk: match kind {
                    MessageKind::Text => Message::Text(Utf8Bytes::from_validated(chunk)),
                    MessageKind::Binary => Message::Binary(chunk),
                },
                fin,
            });
        }
        Ok(true)
    }
}
