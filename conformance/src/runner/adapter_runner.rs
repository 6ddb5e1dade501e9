//! Runners for the `wsflow` async driver on tokio, smol and async-std, over the in-memory
//! [`Duplex`].
//!
//! The endpoint is a `wsflow::WebSocket` built with `from_connection` over the runtime's own
//! transport glue (`TokioIo` for tokio, `FuturesIo` for smol and async-std). The application
//! is emulated as a task that keeps `recv_event` polled while it drains events, and calls
//! `send`, `send_fragment`, `ping`, `pong` and `close` for `app` steps (each polled once:
//! the driver queues a command in its first poll; a pending `close` keeps going in the
//! background, as the API allows). Nothing is spawned; between steps nothing runs.
//!
//! Time is virtual. On tokio it is tokio's own paused clock, so the runtime's timer glue is
//! the one under test; `advance` lets tokio jump from timer to timer, so every deadline fires
//! at its own instant. `async-io`'s timer (smol, async-std) has no test clock, so those runners
//! use [`VirtualTime`], a [`wsflow::Runtime`] on a virtual clock: their I/O glue and executor
//! are under test, their 10-line timer glue is not. async-std's socket transport
//! (`AsyncStdTcp`, which exists because async-std's `poll_close` does not half-close) needs a
//! real socket: that is the loopback test's job, not these runners'.
//!
//! API differences, not protocol ones: the driver does not expose `wants_read` (not checked),
//! reports nothing after an abort (it drops the transport), and completes a second `close`
//! instead of refusing it; scripts needing those are skipped (see
//! [`Capability`]).

use std::cell::RefCell;
use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use bytes::Bytes;
use wsflow::futures_io::FuturesIo;
use wsflow::tokio::{TokioIo, TokioRuntime};
use wsflow::{AcceptOptions, ConnectOptions, Error, Runtime, Transport, WebSocket};
use wsflow_core::handshake::Accept;
use wsflow_core::mask::FixedMask;
use wsflow_core::{CloseCode, Connection, Event, Message, Role, SendError};

use super::core_runner::{choose_subprotocol, client_request};
use super::duplex::Duplex;
use super::{ActionError, Capability, Observation, Runner, Session, Setup};
use crate::names::handshake_error_name;
use crate::script::{AppAction, HandshakeOutcome};

/// The opening handshake in progress: `WebSocket::client` or `WebSocket::server`.
type Opening<T, R> = Pin<Box<dyn Future<Output = Result<WebSocket<T, R>, Error>>>>;

/// Most events one settling pass takes (a guard against a driver that never pends).
const MAX_POLLS: usize = 1_000_000;

/// The endpoint and its emulated application, independent of the runtime.
struct Endpoint<T: Transport, R: Runtime> {
    ws: Option<WebSocket<T, R>>,
    opening: Option<Opening<T, R>>,
    outcome: Option<HandshakeOutcome>,
    duplex: Duplex,
    draining: bool,
    /// `recv_event` returned `None`: the connection is over and every event was taken.
    finished: bool,
    events: Vec<Event>,
}

impl<T: Transport, R: Runtime> Endpoint<T, R> {
    fn new(ws: WebSocket<T, R>, duplex: Duplex) -> Self {
        Endpoint {
            ws: Some(ws),
            opening: None,
            outcome: None,
            duplex,
            draining: true,
            finished: false,
            events: Vec::new(),
        }
    }

    /// An endpoint that first runs the opening handshake.
    fn opening(opening: Opening<T, R>, duplex: Duplex) -> Self {
        Endpoint {
            ws: None,
            opening: Some(opening),
            outcome: None,
            duplex,
            draining: true,
            finished: false,
            events: Vec::new(),
        }
    }

    /// The application's receive loop: polls the handshake, then `recv_event` until it pends.
    fn pump(&mut self, cx: &mut Context<'_>) {
        if let Some(opening) = &mut self.opening {
            let Poll::Ready(result) = opening.as_mut().poll(cx) else {
                return;
            };
            self.opening = None;
            self.outcome = Some(match result {
                Ok(ws) => {
                    let subprotocol = ws.subprotocol();
                    self.ws = Some(ws);
                    HandshakeOutcome::Open(subprotocol)
                }
                Err(Error::Handshake(error)) => {
                    HandshakeOutcome::Failed(handshake_error_name(&error).into())
                }
                Err(Error::Io(error)) if error.kind() == std::io::ErrorKind::UnexpectedEof => {
                    HandshakeOutcome::Failed("eof".into())
                }
                Err(_) => HandshakeOutcome::Failed("other".into()),
            });
        }
        let Some(ws) = &mut self.ws else {
            return;
        };
        for _ in 0..MAX_POLLS {
            if !self.draining || self.finished {
                return;
            }
            match ws.poll_recv_event(cx) {
                Poll::Ready(Ok(Some(event))) => self.events.push(event),
                Poll::Ready(Ok(None)) => self.finished = true,
                // A transport error aborts the connection; its `Closed` comes next.
                Poll::Ready(Err(_)) => {}
                Poll::Pending => return,
            }
        }
    }

    /// Issues a command with one poll.
    fn act(&mut self, cx: &mut Context<'_>, action: &AppAction) -> Result<(), ActionError> {
        let Some(ws) = &mut self.ws else {
            // Aborted: the connection is gone, as after `close`.
            return Err(ActionError::Refused(SendError::Closed));
        };
        let result = match action {
            AppAction::SendText(text) => poll_once(cx, ws.send(Message::from(text.clone()))),
            AppAction::SendBinary(data) => {
                poll_once(cx, ws.send(Message::Binary(Bytes::from(data.clone()))))
            }
            AppAction::SendFragment { kind, payload, fin } => {
                poll_once(cx, ws.send_fragment(*kind, payload.clone(), *fin))
            }
            AppAction::Ping(payload) => poll_once(cx, ws.ping(payload.clone())),
            AppAction::Pong(payload) => poll_once(cx, ws.pong(payload.clone())),
            AppAction::Close { code, reason } => {
                match ws.poll_close(cx, CloseCode::from(*code), reason) {
                    Poll::Ready(Ok(_)) | Poll::Pending => Some(Ok(())),
                    Poll::Ready(Err(error)) => Some(Err(error)),
                }
            }
            AppAction::Abort => {
                self.ws = None;
                Some(Ok(()))
            }
        };
        match result {
            Some(Ok(())) => Ok(()),
            Some(Err(Error::Closed)) => Err(ActionError::Refused(SendError::Closed)),
            Some(Err(Error::Send(error))) => Err(ActionError::Refused(error)),
            Some(Err(other)) => Err(ActionError::Other(other.to_string())),
            None => Err(ActionError::Other(
                "the command did not complete in one poll (waiting for buffer room)".into(),
            )),
        }
    }

    fn observe(&mut self) -> Observation {
        Observation {
            sent: self.duplex.take_written(),
            events: std::mem::take(&mut self.events),
            shutdown: self.duplex.is_shut_down(),
            wants_read: None,
            handshake: self.outcome.take(),
        }
    }
}

/// The endpoint for `setup`: opened by the adapter's handshake when the script has one.
fn endpoint<T, R>(setup: &Setup, transport: T, duplex: Duplex) -> Endpoint<T, R>
where
    T: Transport + 'static,
    R: Runtime + 'static,
{
    let Some(hs) = setup.handshake.clone() else {
        let ws = WebSocket::from_connection(transport, connection(setup, R::now()));
        return Endpoint::new(ws, duplex);
    };
    let config = setup.config.clone();
    let opening: Opening<T, R> = match setup.role {
        Role::Client => Box::pin(async move {
            let mut options = ConnectOptions::new().config(config);
            for name in &hs.subprotocols {
                options = options.subprotocol(name.clone());
            }
            if let Some(deflate) = hs.deflate.clone() {
                options = options.deflate(deflate);
            }
            WebSocket::client(transport, client_request(&hs), &options).await
        }),
        Role::Server => Box::pin(async move {
            let mut options = AcceptOptions::new().config(config);
            if let Some(deflate) = hs.deflate.clone() {
                options = options.deflate(deflate);
            }
            WebSocket::server(transport, &options, |request| {
                let mut accept = Accept::new();
                if let Some(name) = choose_subprotocol(&hs.subprotocols, &request.subprotocols) {
                    accept = accept.subprotocol(name);
                }
                Ok(accept)
            })
            .await
        }),
    };
    Endpoint::opening(opening, duplex)
}

/// Polls a command future once; `None` if it pends (it is then dropped, which the driver
/// guarantees queues nothing).
fn poll_once<F: Future<Output = Result<(), Error>>>(
    cx: &mut Context<'_>,
    future: F,
) -> Option<Result<(), Error>> {
    match pin!(future).poll(cx) {
        Poll::Ready(result) => Some(result),
        Poll::Pending => None,
    }
}

fn connection(setup: &Setup, now: Instant) -> Connection {
    Connection::new(setup.role, setup.config.clone(), now)
        .with_mask_source(Box::new(FixedMask(setup.our_mask)))
}

// ----- tokio -----

/// The `wsflow::tokio` glue (`TokioIo`, `TokioRuntime` timers) on a current-thread runtime with a
/// paused clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct TokioRunner;

impl Runner for TokioRunner {
    fn name(&self) -> &'static str {
        "tokio"
    }

    fn open(&self, setup: &Setup) -> Box<dyn Session> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .expect("a current-thread tokio runtime");
        let duplex = Duplex::new();
        let endpoint = {
            let _guard = rt.enter();
            endpoint(setup, TokioIo(duplex.clone()), duplex)
        };
        Box::new(TokioSession { rt, endpoint })
    }

    fn supports(&self, capability: Capability) -> bool {
        adapter_supports(capability)
    }
}

fn adapter_supports(capability: Capability) -> bool {
    match capability {
        Capability::AbortEvent | Capability::CloseRefusedWhenClosing => false,
    }
}

struct TokioSession {
    rt: tokio::runtime::Runtime,
    endpoint: Endpoint<TokioIo<Duplex>, TokioRuntime>,
}

impl TokioSession {
    fn settle(&mut self) {
        let endpoint = &mut self.endpoint;
        self.rt.block_on(poll_fn(|cx| {
            endpoint.pump(cx);
            Poll::Ready(())
        }));
    }
}

impl Session for TokioSession {
    fn peer_send(&mut self, piece: &[u8]) {
        self.endpoint.duplex.peer_send(piece);
        self.settle();
    }

    fn peer_eof(&mut self) {
        self.endpoint.duplex.peer_eof();
        self.settle();
    }

    fn set_peer_reading(&mut self, reading: bool) {
        self.endpoint.duplex.set_peer_reading(reading);
        self.settle();
    }

    fn set_draining(&mut self, draining: bool) {
        self.endpoint.draining = draining;
        self.settle();
    }

    fn advance(&mut self, by: Duration) {
        let endpoint = &mut self.endpoint;
        self.rt.block_on(async {
            // While this future pends the paused runtime is idle, so tokio moves its clock
            // to the next timer — the driver's or this sleep — and deadlines fire in order.
            let mut sleep = pin!(tokio::time::sleep(by));
            poll_fn(|cx| {
                endpoint.pump(cx);
                sleep.as_mut().poll(cx)
            })
            .await;
            poll_fn(|cx| {
                endpoint.pump(cx);
                Poll::Ready(())
            })
            .await;
        });
    }

    fn app(&mut self, action: &AppAction) -> Result<(), ActionError> {
        let endpoint = &mut self.endpoint;
        let result = self
            .rt
            .block_on(poll_fn(|cx| Poll::Ready(endpoint.act(cx, action))));
        self.settle();
        result
    }

    fn observe(&mut self) -> Observation {
        self.settle();
        self.endpoint.observe()
    }
}

// ----- smol and async-std -----

/// A [`wsflow::Runtime`] on a virtual clock, per thread: `now` is the virtual time and timers
/// complete when [`VirtualTime`]'s clock reaches them.
#[derive(Debug, Clone, Copy, Default)]
pub struct VirtualTime;

struct Clock {
    base: Instant,
    elapsed: Duration,
    timers: Vec<(Instant, Waker)>,
}

thread_local! {
    static CLOCK: RefCell<Clock> = RefCell::new(Clock {
        base: Instant::now(),
        elapsed: Duration::ZERO,
        timers: Vec::new(),
    });
}

impl VirtualTime {
    fn now() -> Instant {
        CLOCK.with_borrow(|clock| clock.base + clock.elapsed)
    }

    /// Restarts this thread's clock at zero.
    fn reset() {
        CLOCK.with_borrow_mut(|clock| {
            clock.base = Instant::now();
            clock.elapsed = Duration::ZERO;
            clock.timers.clear();
        });
    }

    /// The earliest deadline a pending timer waits for.
    fn next_deadline() -> Option<Instant> {
        CLOCK.with_borrow(|clock| clock.timers.iter().map(|(deadline, _)| *deadline).min())
    }

    /// Moves the clock to `to` (never back) and wakes the timers that are due.
    fn set(to: Instant) {
        let due: Vec<Waker> = CLOCK.with_borrow_mut(|clock| {
            let now = (clock.base + clock.elapsed).max(to);
            clock.elapsed = now - clock.base;
            let (due, waiting) = std::mem::take(&mut clock.timers)
                .into_iter()
                .partition(|(deadline, _)| *deadline <= now);
            clock.timers = waiting;
            due.into_iter().map(|(_, waker)| waker).collect()
        });
        for waker in due {
            waker.wake();
        }
    }
}

/// A timer of [`VirtualTime`].
#[derive(Debug)]
pub struct VirtualSleep {
    deadline: Instant,
}

impl Future for VirtualSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if VirtualTime::now() >= self.deadline {
            return Poll::Ready(());
        }
        let deadline = self.deadline;
        CLOCK.with_borrow_mut(|clock| clock.timers.push((deadline, cx.waker().clone())));
        Poll::Pending
    }
}

impl Runtime for VirtualTime {
    type Timer = VirtualSleep;

    fn sleep_until(deadline: Instant) -> VirtualSleep {
        VirtualSleep { deadline }
    }

    fn now() -> Instant {
        VirtualTime::now()
    }
}

/// How a futures-io runner blocks on a future: the runtime's executor.
type BlockOn = fn(Pin<&mut dyn Future<Output = ()>>);

/// The `wsflow` futures-io glue (`FuturesIo`, as `wsflow::smol` uses it) driven by smol's
/// executor, on [`VirtualTime`].
#[derive(Debug, Default, Clone, Copy)]
pub struct SmolRunner;

/// The same glue driven by async-std's executor (async-std's `AsyncStdTcp` transport needs a
/// real socket and is left to the loopback test).
#[derive(Debug, Default, Clone, Copy)]
pub struct AsyncStdRunner;

fn open_futures(setup: &Setup, block_on: BlockOn) -> Box<dyn Session> {
    VirtualTime::reset();
    let duplex = Duplex::new();
    Box::new(FuturesSession {
        block_on,
        endpoint: endpoint(setup, FuturesIo(duplex.clone()), duplex),
    })
}

impl Runner for SmolRunner {
    fn name(&self) -> &'static str {
        "smol"
    }

    fn open(&self, setup: &Setup) -> Box<dyn Session> {
        open_futures(setup, |future| smol::block_on(future))
    }

    fn supports(&self, capability: Capability) -> bool {
        adapter_supports(capability)
    }
}

impl Runner for AsyncStdRunner {
    fn name(&self) -> &'static str {
        "async-std"
    }

    fn open(&self, setup: &Setup) -> Box<dyn Session> {
        open_futures(setup, |future| async_std::task::block_on(future))
    }

    fn supports(&self, capability: Capability) -> bool {
        adapter_supports(capability)
    }
}

struct FuturesSession {
    block_on: BlockOn,
    endpoint: Endpoint<FuturesIo<Duplex>, VirtualTime>,
}

impl FuturesSession {
    fn settle(&mut self) {
        let endpoint = &mut self.endpoint;
        (self.block_on)(pin!(poll_fn(|cx| {
            endpoint.pump(cx);
            Poll::Ready(())
        })));
    }
}

impl Session for FuturesSession {
    fn peer_send(&mut self, piece: &[u8]) {
        self.endpoint.duplex.peer_send(piece);
        self.settle();
    }

    fn peer_eof(&mut self) {
        self.endpoint.duplex.peer_eof();
        self.settle();
    }

    fn set_peer_reading(&mut self, reading: bool) {
        self.endpoint.duplex.set_peer_reading(reading);
        self.settle();
    }

    fn set_draining(&mut self, draining: bool) {
        self.endpoint.draining = draining;
        self.settle();
    }

    fn advance(&mut self, by: Duration) {
        let target = VirtualTime::now() + by;
        for _ in 0..MAX_POLLS {
            self.settle();
            match VirtualTime::next_deadline() {
                Some(deadline) if deadline <= target => VirtualTime::set(deadline),
                _ => break,
            }
        }
        VirtualTime::set(target);
        self.settle();
    }

    fn app(&mut self, action: &AppAction) -> Result<(), ActionError> {
        let endpoint = &mut self.endpoint;
        let mut result = Ok(());
        (self.block_on)(pin!(poll_fn(|cx| {
            result = endpoint.act(cx, action);
            Poll::Ready(())
        })));
        self.settle();
        result
    }

    fn observe(&mut self) -> Observation {
        self.settle();
        self.endpoint.observe()
    }
}
