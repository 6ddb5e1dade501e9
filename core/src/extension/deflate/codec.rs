//! The permessage-deflate payload transform (RFC 7692 §7.2) over flate2's raw deflate streams.

use bytes::BytesMut;
use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

use super::params::{MAX_WINDOW_BITS, MIN_ZLIB_WINDOW_BITS, NAME};
use super::{DeflateConfig, DeflateParams, clamp_window};
use crate::error::ProtocolError;
use crate::extension::{Encoded, Extension, FramePosition};
use crate::role::Role;

/// RSV1 marks a compressed message (RFC 7692 §6).
use crate::extension::RSV1;
/// The end of an empty stored block, which a sync flush always ends with: the sender strips
/// it and the receiver puts it back (RFC 7692 §7.2.1, §7.2.2).
const TAIL: [u8; 4] = [0x00, 0x00, 0xff, 0xff];
/// Inflate at most this much per step, so that output grows in bounded increments.
const INFLATE_STEP: usize = 32 * 1024;
/// Largest output buffer handed to one deflate call; the loop asks for more as needed.
const DEFLATE_STEP: usize = 1024 * 1024;

/// The negotiated permessage-deflate codec for one connection: a compressor for the messages
/// we send and a decompressor for the ones we receive, each configured with the parameters
/// that apply to its direction.
///
/// An agreed 8-bit window is honoured with zlib's 9-bit setting: zlib-rs, like zlib, never
/// refers further back than the window minus its 262-byte lookahead, which is 250 bytes for a
/// 9-bit window, so its output fits a 256-byte window. A test checks this at every level with
/// an independent deflate walker.
#[derive(Debug)]
pub struct PerMessageDeflate {
    role: Role,
    params: DeflateParams,
    /// The window we tell zlib to compress with, 9..=15; an agreed 8 becomes 9 (see the type
    /// docs). zlib refuses 8 for raw deflate only because no header could tell the inflater
    /// that 9 was used instead.
    own_window: u8,
    level: Compression,
    /// zlib state is created on the first message that needs it and, without context
    /// takeover, dropped after each message: a compressor costs 250–370 KiB and a
    /// decompressor 46 KiB (zlib-rs, measured), which an idle connection should not hold.
    compressor: Option<Compress>,
    /// Start every message with a fresh compressor (negotiated, or our own choice).
    reset_compressor: bool,
    peer_window: u8,
    decompressor: Option<Decompress>,
    /// The peer resets its compressor after each message, so we need no history either.
    reset_decompressor: bool,
    /// A block with BFINAL set ended the deflate stream inside the current message
    /// (§7.2.3.4); the rest of the message is padding and the stream must restart.
    stream_ended: bool,
    /// The message being sent was compressed from its first frame on; later frames follow
    /// that choice whatever their size.
    sending_compressed: bool,
    threshold: usize,
}

impl PerMessageDeflate {
    /// A codec for `role` with agreed `params`; `config` supplies the compression level, the
    /// threshold, and our own side's limits (we may always be stricter with ourselves than the
    /// peer asked). [`DeflateConfig::client_accept`] and [`DeflateConfig::server_negotiate`]
    /// build this for you.
    pub fn new(role: Role, params: DeflateParams, config: &DeflateConfig) -> PerMessageDeflate {
        let (own_window, own_reset, peer_window, peer_reset, own_config_window, own_config_reset) =
            match role {
                Role::Client => (
                    params.client_max_window_bits,
                    params.client_no_context_takeover,
                    params.server_max_window_bits,
                    params.server_no_context_takeover,
                    config.client_max_window_bits,
                    config.client_no_context_takeover,
                ),
                Role::Server => (
                    params.server_max_window_bits,
                    params.server_no_context_takeover,
                    params.client_max_window_bits,
                    params.client_no_context_takeover,
                    config.server_max_window_bits,
                    config.server_no_context_takeover,
                ),
            };
        let own_window = own_window.min(own_config_window.map_or(MAX_WINDOW_BITS, clamp_window));
        // flate2 panics outside 9..=15, so every window is clamped before use.
        let own_window = own_window.clamp(MIN_ZLIB_WINDOW_BITS, MAX_WINDOW_BITS);
        PerMessageDeflate {
            role,
            params,
            own_window,
            level: Compression::new(config.level()),
            compressor: None,
            reset_compressor: own_reset || own_config_reset,
            // A larger inflate window than the peer uses is harmless: an 8-bit peer gets 9.
            peer_window: peer_window.clamp(MIN_ZLIB_WINDOW_BITS, MAX_WINDOW_BITS),
            decompressor: None,
            reset_decompressor: peer_reset,
            stream_ended: false,
            sending_compressed: false,
            threshold: config.threshold,
        }
    }

    /// The parameters agreed in the handshake.
    pub fn params(&self) -> DeflateParams {
        self.params
    }

    /// Which end of the connection this codec works for.
    pub fn role(&self) -> Role {
        self.role
    }

    /// Inflates `input` into `out`, never letting this call's output (`produced`) exceed
    /// `limit`. Output space is handed out in steps of at most [`INFLATE_STEP`] bytes and only
    /// up to the limit, so a small bomb cannot make us allocate more than the limit.
    fn inflate(
        &mut self,
        mut input: &[u8],
        out: &mut BytesMut,
        limit: usize,
        produced: &mut usize,
        ceiling: usize,
    ) -> Result<(), ProtocolError> {
        loop {
            if self.stream_ended {
                // Whatever follows a final block in this message is padding (§7.2.3.4).
                return Ok(());
            }
            let remaining = limit.saturating_sub(*produced);
            if remaining == 0 {
                // At the limit: any further byte means the message is too large, so probe
                // with a one-byte buffer that is not part of `out`.
                let mut probe = [0u8; 1];
                let (consumed, written) = self.inflate_step(input, &mut probe)?;
                if written > 0 {
                    return Err(ProtocolError::MessageTooLarge { max: limit as u64 });
                }
                input = input.get(consumed..).unwrap_or_default();
                if consumed == 0 || input.is_empty() {
                    return Ok(());
                }
                continue;
            }
            let step = remaining.min(INFLATE_STEP);
            reserve_capped(out, step, ceiling);
            let start = out.len();
            out.resize(start + step, 0);
            let result = match out.get_mut(start..) {
                Some(space) => self.inflate_step(input, space),
                None => Ok((0, 0)),
            };
            let (consumed, written) = match result {
                Ok(progress) => progress,
                Err(error) => {
                    out.truncate(start);
                    return Err(error);
                }
            };
            out.truncate(start + written);
            *produced += written;
            input = input.get(consumed..).unwrap_or_default();
            if written < step {
                // zlib stops short of filling the output only when it ran out of input, hit
                // the end of the stream, or cannot move at all.
                if input.is_empty() || self.stream_ended {
                    return Ok(());
                }
                if consumed == 0 {
                    return Err(corrupt("inflater made no progress"));
                }
            }
        }
    }

    /// One call into zlib: returns (input consumed, output written).
    fn inflate_step(
        &mut self,
        input: &[u8],
        output: &mut [u8],
    ) -> Result<(usize, usize), ProtocolError> {
        let window = self.peer_window;
        let decompressor = self
            .decompressor
            .get_or_insert_with(|| Decompress::new_with_window_bits(false, window));
        let (in_before, out_before) = (decompressor.total_in(), decompressor.total_out());
        let status = decompressor
            .decompress(input, output, FlushDecompress::Sync)
            .map_err(|error| corrupt(&error.to_string()))?;
        let consumed = delta(decompressor.total_in(), in_before);
        let written = delta(decompressor.total_out(), out_before);
        if status == Status::StreamEnd {
            self.stream_ended = true;
        }
        Ok((consumed, written))
    }

    fn end_received_message(&mut self) {
        // After a final block the stream cannot continue, so it restarts with an empty window
        // even with context takeover; a peer that then refers back fails with corrupt data.
        if self.reset_decompressor || self.stream_ended {
            self.decompressor = None;
        }
        self.stream_ended = false;
    }
}

/// Appends compressed `input` to `out` with a sync flush, so that the output ends on a byte
/// boundary with an empty stored block (unless the compressor had nothing new to flush).
fn deflate_sync(
    compressor: &mut Compress,
    mut input: &[u8],
    out: &mut BytesMut,
) -> Result<(), flate2::CompressError> {
    loop {
        // Room for the input plus deflate's worst-case growth (5 bytes per 16 KiB stored
        // block) and the flush marker; the loop asks again if this was not enough.
        let space = (input.len() + input.len() / 1024 + 64).min(DEFLATE_STEP);
        let start = out.len();
        out.resize(start + space, 0);
        let (in_before, out_before) = (compressor.total_in(), compressor.total_out());
        let result = match out.get_mut(start..) {
            Some(buffer) => compressor.compress(input, buffer, FlushCompress::Sync),
            None => Ok(Status::Ok),
        };
        let consumed = delta(compressor.total_in(), in_before);
        let written = delta(compressor.total_out(), out_before);
        out.truncate(start + written);
        result?;
        input = input.get(consumed..).unwrap_or_default();
        // zlib leaves output space unused only once all input is in and the flush is done.
        if written < space {
            return Ok(());
        }
    }
}

/// Keeps `out`'s capacity within `ceiling` (its length at the start of the call plus the
/// limit). `BytesMut::reserve` doubles, which would let a bomb allocate up to twice the limit.
fn reserve_capped(out: &mut BytesMut, additional: usize, ceiling: usize) {
    let needed = out.len().saturating_add(additional);
    if out.capacity() >= needed {
        return;
    }
    let doubled = out.capacity().saturating_mul(2);
    let target = doubled.min(ceiling).max(needed);
    let mut grown = BytesMut::with_capacity(target);
    grown.extend_from_slice(out);
    *out = grown;
}

fn delta(after: u64, before: u64) -> usize {
    usize::try_from(after.saturating_sub(before)).unwrap_or(usize::MAX)
}

fn corrupt(why: &str) -> ProtocolError {
    ProtocolError::Extension(format!(
        "permessage-deflate: corrupt compressed data: {why}"
    ))
}

impl Extension for PerMessageDeflate {
    fn name(&self) -> &'static str {
        NAME
    }

    fn reserved_bits(&self) -> u8 {
        RSV1
    }

    fn begin_message(&mut self, rsv: u8) -> bool {
        self.stream_ended = false;
        rsv & RSV1 != 0
    }

    fn decode(
        &mut self,
        input: &[u8],
        fin: bool,
        out: &mut BytesMut,
        limit: usize,
    ) -> Result<(), ProtocolError> {
        let ceiling = out.len().saturating_add(limit);
        let mut produced = 0;
        let mut result = self.inflate(input, out, limit, &mut produced, ceiling);
        if fin && result.is_ok() {
            result = self.inflate(&TAIL, out, limit, &mut produced, ceiling);
        }
        if fin || result.is_err() {
            // After an error the connection fails; resetting just leaves a clean state.
            if result.is_err() {
                self.decompressor = None;
            }
            self.end_received_message();
        }
        result
    }

    fn encode(&mut self, input: &[u8], position: FramePosition, out: &mut BytesMut) -> Encoded {
        if position.first {
            self.sending_compressed = !(position.fin && input.len() < self.threshold);
        }
        if !self.sending_compressed {
            // Below the threshold, or a continuation of a message sent uncompressed.
            return Encoded::Unchanged;
        }
        let (level, window) = (self.level, self.own_window);
        let compressor = self
            .compressor
            .get_or_insert_with(|| Compress::new_with_window_bits(level, false, window));
        let start = out.len();
        if deflate_sync(compressor, input, out).is_err() {
            // zlib-rs only fails on a broken stream state, never on data. On a first frame we
            // can still send the message uncompressed; later, the peer will see corrupt data
            // and fail the connection, which is the best left to do.
            out.truncate(start);
            self.compressor = None;
            if position.first {
                return Encoded::Unchanged;
            }
        }
        if position.fin {
            self.sending_compressed = false;
            let appended = out.get(start..).unwrap_or_default();
            if appended.ends_with(&TAIL) {
                out.truncate(out.len() - TAIL.len());
            } else {
                // The compressor had nothing to flush (an empty final fragment after a
                // flushed one): one zero byte starts an empty stored block, which the
                // receiver's appended tail completes, so the message ends as §7.2.1 says.
                out.extend_from_slice(&[0x00]);
            }
            if self.reset_compressor {
                self.compressor = None;
            }
        }
        Encoded::Transformed { rsv: RSV1 }
    }
}

#[cfg(test)]
#[path = "distance_check.rs"]
mod distance_check;
#[cfg(test)]
#[path = "codec_tests.rs"]
mod tests;
