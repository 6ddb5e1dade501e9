//! Unit tests of the connection state machine, by topic. Behaviour shared with the adapters
//! is also covered by the conformance scripts; these pin the core's own contract.

mod closing;
mod flow;
mod framing;
mod lending;
mod lifecycle;
mod prepared;

use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::mask::{FixedMask, apply_mask};
use crate::{
    CloseCause, CloseCode, CloseFrame, CloseReport, Config, Connection, Event, Initiator,
    Keepalive, Message, MessageKind, ProtocolError, ReceiveMode, Role, SendError, State,
};

pub(super) const KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

/// A frame as a peer would send it; masked with `KEY` when `masked`.
pub(super) fn frame(fin: bool, rsv: u8, opcode: u8, payload: &[u8], masked: bool) -> Vec<u8> {
    let mut out = vec![(if fin { 0x80 } else { 0 }) | rsv | opcode];
    let mask_bit = if masked { 0x80 } else { 0 };
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
    let mut body = payload.to_vec();
    if masked {
        out.extend_from_slice(&KEY);
        apply_mask(&mut body, KEY, 0);
    }
    out.extend_from_slice(&body);
    out
}

/// A frame a client sends to the server under test.
pub(super) fn to_server(fin: bool, opcode: u8, payload: &[u8]) -> Vec<u8> {
    frame(fin, 0, opcode, payload, true)
}

pub(super) fn server() -> (Connection, Instant) {
    let now = Instant::now();
    (Connection::new(Role::Server, Config::default(), now), now)
}

pub(super) fn client() -> (Connection, Instant) {
    let now = Instant::now();
    let conn = Connection::new(Role::Client, Config::default(), now)
        .with_mask_source(Box::new(FixedMask(KEY)));
    (conn, now)
}

pub(super) fn events(conn: &mut Connection) -> Vec<Event> {
    std::iter::from_fn(|| conn.poll_event()).collect()
}

pub(super) fn take_output(conn: &mut Connection) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let chunk = conn.pending_output().to_vec();
        if chunk.is_empty() {
            return out;
        }
        conn.consume_output(chunk.len());
        out.extend_from_slice(&chunk);
    }
}

/// The close frame a server sends (unmasked).
pub(super) fn close_from_server(code: u16, reason: &str) -> Vec<u8> {
    let mut payload = code.to_be_bytes().to_vec();
    payload.extend_from_slice(reason.as_bytes());
    frame(true, 0, 0x8, &payload, false)
}

pub(super) fn closed(conn: &mut Connection) -> CloseReport {
    match events(conn).pop() {
        Some(Event::Closed(closed)) => closed,
        other => panic!("expected Closed, got {other:?}"),
    }
}

/// Feeds `input` to a server and asserts it failed with `error`, sending a close frame with
/// the error's code.
pub(super) fn assert_server_fails(input: &[u8], error: ProtocolError) {
    let (mut conn, now) = server();
    conn.receive(now, input);
    let code = error.close_code().as_u16();
    let out = take_output(&mut conn);
    assert_eq!(
        out.get(..4),
        Some(&[0x88, out[1], (code >> 8) as u8, code as u8][..])
    );
    assert!(conn.wants_shutdown(), "a failing server closes TCP first");
    conn.receive_eof(now);
    let closed = closed(&mut conn);
    assert_eq!(closed.cause, CloseCause::ProtocolError(error));
    assert_eq!(closed.code.as_u16(), code);
}
