//! The `inflate` harness. Input: a limit byte (`max_message_size = byte * 64`), a flags byte
//! for the negotiation (bit4 server_no_context_takeover, bit5 client_no_context_takeover,
//! bit6 client window 9), then frames: flags (bit0 FIN, bit1 continuation, bit2 text, bit3
//! harness-compressed run, bit4 no RSV1), a length byte and that many bytes.

use std::time::Instant;

use flate2::{Compress, Compression, FlushCompress};
use wsflow_core::{CloseCause, Event, Role};

use crate::connection::{drain_output, open};
use crate::format::{DEFLATE, Setup, frame};
use crate::wire::WireChecker;

const MASK: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

/// A run of `count * 256` copies of `byte`, compressed: a small frame with a large message.
fn bomb(byte: u8, count: u8) -> Vec<u8> {
    let input = vec![byte; usize::from(count) * 256];
    let mut compress = Compress::new(Compression::best(), false);
    let mut out = Vec::with_capacity(input.len() / 100 + 64);
    let mut consumed = 0;
    loop {
        let before = compress.total_in();
        let _ = compress.compress_vec(&input[consumed..], &mut out, FlushCompress::Sync);
        consumed += (compress.total_in() - before) as usize;
        if consumed == input.len() && out.len() < out.capacity() {
            break;
        }
        out.reserve(out.capacity().max(64));
    }
    out.truncate(out.len().saturating_sub(4));
    out
}

/// Runs one input.
pub fn run(data: &[u8]) {
    let [limit, flags, rest @ ..] = data else {
        return;
    };
    let mut rest = rest;
    let setup = Setup {
        flags: DEFLATE | (flags & 0x70),
        max_message: *limit,
        max_frame: 255,
        pending_events: 7,
        high_water: 255,
        buffer_limit: 255,
        timeout: 100,
    };
    let now = Instant::now();
    let mut conn = open(Role::Server, setup, now);
    let max = conn.config().max_message_size;
    let mut wire = WireChecker::new(false, true);
    let mut closed = None;
    while let [flags, len, tail @ ..] = rest {
        let len = usize::from(*len).min(tail.len());
        let (body, next) = tail.split_at(len);
        rest = next;
        let payload = if flags & 8 != 0 {
            bomb(
                body.first().copied().unwrap_or(0),
                body.get(1).copied().unwrap_or(1),
            )
        } else {
            body.to_vec()
        };
        let continuation = flags & 2 != 0;
        let opcode = match (continuation, flags & 4 != 0) {
            (true, _) => 0,
            (false, true) => 1,
            (false, false) => 2,
        };
        let rsv = if flags & 16 != 0 || continuation {
            0
        } else {
            0x40
        };
        conn.receive(
            now,
            &frame(flags & 1 != 0, rsv, opcode, &payload, Some(MASK)),
        );
        while let Some(event) = conn.poll_event() {
            assert!(closed.is_none(), "event after Closed");
            match event {
                Event::Message(message) => assert!(message.len() as u64 <= max),
                Event::Closed(report) => closed = Some(report),
                _ => {}
            }
        }
        wire.feed(&drain_output(&mut conn));
    }
    if let Some(report) = closed {
        let code = report.code.as_u16();
        assert!(
            matches!(report.cause, CloseCause::ProtocolError(_)),
            "{report:?}"
        );
        assert!(
            matches!(code, 1002 | 1007 | 1009),
            "closed with {code}: {report:?}"
        );
        assert_eq!(
            wire.close_code,
            Some(Some(code)),
            "the close frame carries the code"
        );
    }
}
