//! The `driver` harness: the async driver (`wsflow::WebSocket`) over a scripted transport,
//! polled by hand with a no-op waker.
//!
//! Input: a flags byte (bit0 echo messages, bit1 close at the end), the peer's bytes (u16
//! length), then transport steps taken one per read or write call: low two bits 0 = move
//! `(step >> 2) + 1` bytes, 1 = `Pending`, 2 = end (EOF on read, a zero write), 3 = error.
//! Once the steps run out, reads give the rest of the peer's bytes then EOF and writes take
//! everything.

use std::io::{self, IoSlice};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use wsflow::{Runtime, Transport, WebSocket};
use wsflow_core::{CloseCode, Event, Role};

use crate::format::Setup;
use crate::wire::WireChecker;

/// A runtime whose timers never fire: the fuzzer does not move the clock.
pub struct NeverRuntime;

impl Runtime for NeverRuntime {
    type Timer = std::future::Pending<()>;

    fn sleep_until(_deadline: Instant) -> Self::Timer {
        std::future::pending()
    }
}

/// The scripted transport.
#[derive(Debug, Default)]
pub struct Script {
    peer: Vec<u8>,
    steps: Vec<u8>,
    /// Bytes the driver wrote, shared with the harness (the WebSocket owns the transport).
    written: Arc<Mutex<Vec<u8>>>,
    shut_down: bool,
}

impl Script {
    fn step(&mut self) -> Option<u8> {
        (!self.steps.is_empty()).then(|| self.steps.remove(0))
    }
}

impl Transport for Script {
    fn poll_read(&mut self, _cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        let n = match self.step() {
            None => self.peer.len(),
            Some(step) => match step & 3 {
                0 => usize::from(step >> 2) + 1,
                1 => return Poll::Pending,
                2 => 0,
                _ => return Poll::Ready(Err(io::ErrorKind::ConnectionReset.into())),
            },
        };
        let n = n.min(buf.len()).min(self.peer.len());
        buf[..n].copy_from_slice(&self.peer[..n]);
        self.peer.drain(..n);
        Poll::Ready(Ok(n))
    }

    fn poll_write(&mut self, _cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        assert!(!self.shut_down, "write after shutdown");
        let n = match self.step() {
            None => buf.len(),
            Some(step) => match step & 3 {
                0 => usize::from(step >> 2) + 1,
                1 => return Poll::Pending,
                2 => 0,
                _ => return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into())),
            },
        };
        let n = n.min(buf.len());
        self.written
            .lock()
            .expect("not poisoned")
            .extend_from_slice(&buf[..n]);
        Poll::Ready(Ok(n))
    }

    fn poll_write_vectored(
        &mut self,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let all: Vec<u8> = bufs.iter().flat_map(|b| b.iter().copied()).collect();
        self.poll_write(cx, &all)
    }

    fn poll_flush(&mut self, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(&mut self, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.shut_down = true;
        Poll::Ready(Ok(()))
    }
}

const SETUP: Setup = Setup {
    flags: 0,
    max_message: 64,
    max_frame: 64,
    pending_events: 3,
    high_water: 16,
    buffer_limit: 64,
    timeout: 100,
};

/// Runs one input.
pub fn run(data: &[u8]) {
    let [flags, lo, hi, rest @ ..] = data else {
        return;
    };
    let len = usize::from(u16::from_le_bytes([*lo, *hi])).min(rest.len());
    let (peer, steps) = rest.split_at(len);
    let conn = crate::connection::open(Role::Server, SETUP, Instant::now());
    let written = Arc::new(Mutex::new(Vec::new()));
    let script = Script {
        peer: peer.to_vec(),
        steps: steps.to_vec(),
        written: Arc::clone(&written),
        shut_down: false,
    };
    let mut ws: WebSocket<Script, NeverRuntime> = WebSocket::from_connection(script, conn);
    let mut cx = Context::from_waker(Waker::noop());
    let mut closed = false;
    let mut ended = false;
    // Each poll either makes progress or consumes a step, so this bound is generous.
    for _ in 0..4 * data.len() + 64 {
        match ws.poll_recv_event(&mut cx) {
            Poll::Ready(Ok(Some(event))) => {
                assert!(!closed, "event after Closed: {event:?}");
                match event {
                    Event::Closed(_) => closed = true,
                    Event::Message(message) if flags & 1 != 0 => {
                        if let Poll::Ready(Ok(())) = ws.poll_send_ready(&mut cx) {
                            let _ = ws.start_send(message);
                        }
                    }
                    _ => {}
                }
            }
            Poll::Ready(Ok(None)) => {
                ended = true;
                break;
            }
            Poll::Ready(Err(_)) => break,
            Poll::Pending => {}
        }
    }
    if flags & 2 != 0 && !ended {
        for _ in 0..64 {
            if ws.poll_close(&mut cx, CloseCode::NORMAL, "bye").is_ready() {
                break;
            }
        }
    }
    let _ = ws.poll_flush(&mut cx);
    let mut wire = WireChecker::new(false, false);
    wire.feed(&written.lock().expect("not poisoned"));
}
