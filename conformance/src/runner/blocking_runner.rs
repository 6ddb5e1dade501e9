//! The runner for `wsflow::blocking`: the endpoint on real threads, over an in-memory
//! stream on a virtual clock.
//!
//! The endpoint's threads are what an application of the blocking API has: the *reader*
//! thread runs the opening handshake (or `from_connection`), splits the connection, and
//! loops on [`Reader::recv_event`] while the script drains events (an event it was already
//! waiting for when draining stopped is held until draining resumes); each `app` step runs
//! on a thread of its own through the shared [`Writer`](wsflow::blocking::Writer) half, so that a command blocked in
//! a write the peer does not take does not hold up the next one (`close` only starts the
//! handshake there; the reader finishes it). The session thread plays the peer.
//!
//! `VirtualStream` implements `blocking::Stream` and `VirtualClock` `blocking::Clock` over
//! one shared `World`: a read waits (condvar) until data or EOF arrives or virtual time
//! reaches its read timeout (then fails with `TimedOut`); a write waits while the peer does
//! not read; [`Session::advance`] moves the clock from deadline to deadline and wakes the
//! threads whose wait ends.
//!
//! *Settled* means every endpoint thread waits in one of these tracked waits (a read, a
//! write, a sleep, for draining) or has ended, and no wait was ended without its thread
//! having run since. One wait is not tracked: a command that finds another thread writing
//! waits on the connection's own condvar while the output is above the high-water mark; a
//! command thread still in its call 20 ms after it started, while another thread is
//! blocked writing, counts as settled.
//!
//! API differences, not protocol ones: `wants_read` is not exposed (not checked); a second
//! `close` is refused with `closed`, as [`Writer::close`](wsflow::blocking::Writer::close)
//! only starts the handshake. A blocking write keeps its thread and its bytes: the scripts
//! that declare `requires: non-blocking-writes` cannot pass here and are skipped
//! ([`Capability::NonBlockingWrites`]).

mod world;

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use bytes::Bytes;
use wsflow::Error;
use wsflow::blocking::{Clock, Reader, WebSocket};
use wsflow_core::{CloseCode, Message, SendError};

use super::lifecycle::{connection, decide};
use super::{ActionError, Capability, Observation, Runner, Session, Setup};
use crate::names::handshake_error_name;
use crate::script::{AppAction, HandshakeOutcome};
use world::{EndpointWriter, On, Phase, READER, Shared, VirtualClock, VirtualStream, WHO};

/// Runs scripts against `wsflow::blocking` (see the module docs).
#[derive(Debug, Default, Clone, Copy)]
pub struct BlockingRunner;

impl Runner for BlockingRunner {
    fn name(&self) -> &'static str {
        "blocking"
    }

    fn open(&self, setup: &Setup) -> Box<dyn Session> {
        let shared = Arc::new(Shared::new());
        let setup = setup.clone();
        let endpoint = Arc::clone(&shared);
        thread::spawn(move || reader_thread(&endpoint, &setup));
        let session = BlockingSession { shared };
        drop(session.shared.settle(session.shared.lock()));
        Box::new(session)
    }

    fn supports(&self, capability: Capability) -> bool {
        match capability {
            Capability::CloseRefusedWhenClosing | Capability::Http1Handshake => true,
            Capability::NonBlockingWrites
            | Capability::CloseKeepsReading
            | Capability::ExtendedConnect => false,
        }
    }
}

type Endpoint = WebSocket<VirtualStream, VirtualClock>;

/// Opens the endpoint on the same connection as every runner builds (in its handshake phase
/// when the script has one): the blocking layer's own `handshake` runs that phase.
fn open_endpoint(shared: &Arc<Shared>, setup: &Setup) -> Result<Endpoint, Error> {
    let stream = VirtualStream {
        shared: Arc::clone(shared),
        read_timeout: None,
    };
    let clock = VirtualClock(Arc::clone(shared));
    let conn = connection(setup, clock.now());
    if setup.handshake.is_none() {
        return Ok(WebSocket::from_connection_with_clock(stream, conn, clock));
    }
    WebSocket::handshake_with_clock(stream, conn, |request| Ok(decide(setup, request)), clock)
}

fn outcome(result: &Result<Endpoint, Error>) -> HandshakeOutcome {
    match result {
        Ok(ws) => HandshakeOutcome::Open(ws.subprotocol().map(str::to_owned)),
        Err(Error::Handshake(error)) => {
            HandshakeOutcome::Failed(handshake_error_name(error).into())
        }
        Err(_) => HandshakeOutcome::Failed("other".into()),
    }
}

/// The reader thread: opens the endpoint, hands the writer half to the session, receives
/// while the script drains events.
fn reader_thread(shared: &Arc<Shared>, setup: &Setup) {
    WHO.set(READER);
    let opened = open_endpoint(shared, setup);
    if setup.handshake.is_some() {
        shared.lock().outcome = Some(outcome(&opened));
    }
    if let Ok(ws) = opened {
        // `VirtualStream` always clones.
        if let Ok((reader, writer)) = ws.split() {
            shared.lock().writer = Some(Arc::new(writer));
            receive(shared, reader);
        }
    }
    shared.set_phase(Phase::Gone);
}

fn receive(shared: &Shared, mut reader: Reader<VirtualStream, VirtualClock>) {
    // An event `recv_event` returned after the script stopped draining (it was blocked in
    // a read when that happened): delivered when draining resumes.
    let mut held = None;
    loop {
        let (mut world, _) = shared.wait(shared.lock(), On::Drain, None);
        if world.stop {
            return;
        }
        if let Some(event) = held.take() {
            if !world.draining {
                world.budget = world.budget.saturating_sub(1);
            }
            world.events.push(event);
            continue;
        }
        drop(world);
        match reader.recv_event() {
            Ok(Some(event)) => {
                let mut world = shared.lock();
                if world.draining {
                    world.events.push(event);
                } else if world.budget > 0 {
                    world.budget -= 1;
                    world.events.push(event);
                } else {
                    held = Some(event);
                }
            }
            // The end was taken: nothing more to receive.
            Ok(None) => return,
            // A transport error aborts the connection; its `Closed` comes next.
            Err(_) => {}
        }
    }
}

/// A command thread: one script command through the writer half.
fn command_thread(shared: &Shared, who: usize, writer: &EndpointWriter, action: &AppAction) {
    WHO.set(who);
    let result = act(writer, action);
    let mut world = shared.lock();
    world.results.push((who, result));
    world.phases[who] = Phase::Gone;
    shared.changed.notify_all();
}

fn act(writer: &EndpointWriter, action: &AppAction) -> Result<(), ActionError> {
    let result = match action {
        AppAction::SendText(text) => writer.send(Message::from(text.clone())),
        AppAction::SendBinary(data) => writer.send(Message::Binary(Bytes::from(data.clone()))),
        AppAction::SendFragment { kind, payload, fin } => {
            writer.send_fragment(*kind, payload.clone(), *fin)
        }
        AppAction::Ping(payload) => writer.ping(payload.clone()),
        AppAction::Pong(payload) => writer.pong(payload.clone()),
        AppAction::Close { code, reason } => writer.close(CloseCode::from(*code), reason),
        AppAction::Abort => {
            writer.abort();
            Ok(())
        }
    };
    match result {
        Ok(()) => Ok(()),
        Err(Error::Closed) => Err(ActionError::Refused(SendError::Closed)),
        Err(Error::Send(error)) => Err(ActionError::Refused(error)),
        Err(other) => Err(ActionError::Other(other.to_string())),
    }
}

struct BlockingSession {
    shared: Arc<Shared>,
}

impl Drop for BlockingSession {
    fn drop(&mut self) {
        let mut world = self.shared.lock();
        world.stop = true;
        world.writer = None;
        world.wake();
        self.shared.changed.notify_all();
    }
}

impl Session for BlockingSession {
    fn peer_send(&mut self, piece: &[u8]) {
        drop(
            self.shared
                .change(|world| world.inbound.push_back(piece.to_vec())),
        );
    }

    fn peer_eof(&mut self) {
        drop(self.shared.change(|world| world.eof = true));
    }

    fn set_peer_reading(&mut self, reading: bool) {
        drop(self.shared.change(|world| world.peer_reading = reading));
    }

    fn set_draining(&mut self, draining: bool) {
        drop(self.shared.change(|world| world.draining = draining));
    }

    fn take_events(&mut self, n: usize) {
        drop(self.shared.change(|world| world.budget = n));
    }

    fn advance(&mut self, by: Duration) {
        let mut world = self.shared.settle(self.shared.lock());
        let target = world.now() + by;
        while let Some(deadline) = world.next_deadline(target) {
            drop(world);
            world = self.shared.change(|world| {
                world.elapsed = world.elapsed.max(deadline - world.base);
            });
        }
        drop(world);
        drop(
            self.shared
                .change(|world| world.elapsed = target - world.base),
        );
    }

    fn app(&mut self, action: &AppAction) -> Result<(), ActionError> {
        let mut world = self.shared.settle(self.shared.lock());
        let Some(writer) = world.writer.clone() else {
            // No connection (the handshake has not completed, or failed).
            return Err(ActionError::Refused(SendError::Closed));
        };
        // A thread per command: a command blocked in a write the peer does not take must
        // not hold up the next (which may be refused, or queue a close frame).
        let who = world.phases.len();
        world.phases.push(Phase::InCall(Instant::now()));
        let shared = Arc::clone(&self.shared);
        let action = action.clone();
        thread::spawn(move || command_thread(&shared, who, &writer, &action));
        world = self.shared.settle(world);
        match world.results.iter().position(|(done, _)| *done == who) {
            Some(at) => world.results.remove(at).1,
            // Settled without an answer: the command is blocked writing (or waiting for
            // another thread's write) while the peer does not read. Its frame was queued.
            None => Ok(()),
        }
    }

    fn observe(&mut self) -> Observation {
        let mut world = self.shared.settle(self.shared.lock());
        Observation {
            sent: std::mem::take(&mut world.outbound),
            events: std::mem::take(&mut world.events),
            shutdown: world.shutdown,
            wants_read: None,
            handshake: world.outcome.take(),
        }
    }
}
