//! A side on the blocking layer, `wsflow::blocking::WebSocket` with a virtual clock, run on a
//! thread of its own that takes turns with the scheduler: the thread runs only while the
//! scheduler's task for it is polled, and hands the turn back wherever a real thread would
//! block (a read or write the network cannot serve yet, a sleep). So the run stays one
//! sequence of steps, as deterministic as the async sides.
//!
//! The application is a single thread, as most blocking applications are: it sends its
//! messages (`send`, or `write` and a `flush`), a closer first receives every message of the
//! peer (a blocking `close` stops reading past twice `max_pending_events` and would wait for
//! the close timeout), then it receives until the end. Two blocking sides are never paired:
//! two single-threaded applications both blocked writing is the deadlock TCP promises.

use std::cell::RefCell;
use std::future::Future;
use std::io::{self, Read, Write};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use wsflow::Runtime;
use wsflow::blocking::{Clock, Stream, WebSocket};
use wsflow_core::{CloseCode, Connection, Event, MessageKind, ReceiveMode};

use super::app::{Outcome, Report, SideScript, close_report, record_receive, report};
use super::async_side::Task;
use super::network::SimSocket;
use super::{Rng, VirtualTime};

#[derive(Debug)]
struct TurnState {
    /// The side's thread runs (the scheduler waits).
    thread_runs: bool,
    /// The thread finished (or panicked).
    done: bool,
    /// The scheduler's waker for this task: the network and timers wake it.
    waker: Option<Waker>,
    /// Virtual time, as of the scheduler's last poll.
    now: Instant,
    /// A deadline the thread waits for (a read timeout, a sleep).
    timer: Option<Instant>,
    /// What the application recorded, handed over at the end.
    outcome: Option<Outcome>,
    /// The scheduler gave up on the run (a deadlock): the thread unwinds at its next turn.
    abandoned: bool,
}

#[derive(Debug)]
struct Turn {
    state: Mutex<TurnState>,
    changed: Condvar,
}

impl Turn {
    fn lock(&self) -> MutexGuard<'_, TurnState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// On the side's thread: hands the turn back and waits for the next one.
    fn yield_turn(&self) {
        let mut state = self.lock();
        state.thread_runs = false;
        self.changed.notify_all();
        while !state.thread_runs {
            state = self
                .changed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    fn waker(&self) -> Waker {
        self.lock()
            .waker
            .clone()
            .unwrap_or_else(|| Waker::noop().clone())
    }

    fn now(&self) -> Instant {
        self.lock().now
    }
}

/// Marks the thread done even if it panics, so the scheduler does not wait forever.
struct DoneGuard(Arc<Turn>);

impl Drop for DoneGuard {
    fn drop(&mut self) {
        let mut state = self.0.lock();
        state.done = true;
        state.thread_runs = false;
        self.0.changed.notify_all();
    }
}

/// The blocking stream over the simulated socket.
struct BlockingSocket {
    socket: SimSocket,
    turn: Arc<Turn>,
    read_deadline: Option<Instant>,
}

impl Read for BlockingSocket {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let waker = self.turn.waker();
            match self.socket.read(&mut Context::from_waker(&waker), buf) {
                Poll::Ready(result) => return result,
                Poll::Pending => {
                    if let Some(deadline) = self.read_deadline {
                        if self.turn.now() >= deadline {
                            return Err(io::ErrorKind::TimedOut.into());
                        }
                        self.turn.lock().timer = Some(deadline);
                    }
                    self.turn.yield_turn();
                }
            }
        }
    }
}

impl Write for BlockingSocket {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        loop {
            let waker = self.turn.waker();
            match self.socket.write(&mut Context::from_waker(&waker), buf) {
                Poll::Ready(result) => return result,
                Poll::Pending => self.turn.yield_turn(),
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Stream for BlockingSocket {
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        let now = self.turn.now();
        self.read_deadline = timeout.map(|timeout| now + timeout);
        Ok(())
    }

    fn shutdown_write(&mut self) -> io::Result<()> {
        self.socket.shutdown()
    }
}

/// The virtual clock, as the scheduler last set it.
struct SimClock(Arc<Turn>);

impl Clock for SimClock {
    fn now(&self) -> Instant {
        self.0.now()
    }

    fn sleep_until(&self, deadline: Instant) {
        while self.0.now() < deadline {
            self.0.lock().timer = Some(deadline);
            self.0.yield_turn();
        }
    }
}

impl Drop for BlockingTask {
    /// A run given up on (a deadlock) drops a task whose thread still waits for its turn:
    /// let that thread unwind instead of leaking it.
    fn drop(&mut self) {
        if let Some(thread) = self.thread.take() {
            {
                let mut state = self.turn.lock();
                state.abandoned = true;
                state.thread_runs = true;
                self.turn.changed.notify_all();
            }
            let _ = thread.join();
        }
    }
}

/// The scheduler's task for the side's thread.
struct BlockingTask {
    turn: Arc<Turn>,
    thread: Option<JoinHandle<()>>,
    timer: Option<Pin<Box<<VirtualTime as Runtime>::Timer>>>,
    out: Rc<RefCell<Outcome>>,
}

impl Future for BlockingTask {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let mut state = this.turn.lock();
        state.waker = Some(cx.waker().clone());
        state.now = VirtualTime::now();
        state.thread_runs = true;
        this.turn.changed.notify_all();
        while state.thread_runs && !state.done {
            state = this
                .turn
                .changed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        if state.done {
            let outcome = state.outcome.take();
            drop(state);
            let panicked = this
                .thread
                .take()
                .is_some_and(|thread| thread.join().is_err());
            let mut out = this.out.borrow_mut();
            if let Some(outcome) = outcome {
                *out = outcome;
            }
            if panicked {
                out.reports
                    .push(Report::Other("the blocking side's thread panicked".into()));
                out.ended = true;
            }
            return Poll::Ready(());
        }
        if let Some(deadline) = state.timer.take() {
            drop(state);
            let timer = this
                .timer
                .insert(Box::pin(VirtualTime::sleep_until(deadline)));
            if timer.as_mut().poll(cx).is_ready() {
                cx.waker().wake_by_ref();
            }
        }
        Poll::Pending
    }
}

pub(super) fn task(
    socket: SimSocket,
    conn: Connection,
    mut script: SideScript,
    peer_messages: usize,
    out: Rc<RefCell<Outcome>>,
) -> Task {
    // A blocking close stops reading past twice `max_pending_events`: a closer that would
    // leave the peer's messages unread would end by the close timeout, as documented.
    script.wait_for_peer = true;
    let turn = Arc::new(Turn {
        state: Mutex::new(TurnState {
            thread_runs: false,
            done: false,
            waker: None,
            now: VirtualTime::now(),
            timer: None,
            outcome: None,
            abandoned: false,
        }),
        changed: Condvar::new(),
    });
    let thread_turn = Arc::clone(&turn);
    let thread = std::thread::spawn(move || {
        let guard = DoneGuard(Arc::clone(&thread_turn));
        {
            let mut state = thread_turn.lock();
            while !state.thread_runs {
                state = thread_turn
                    .changed
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
            }
            if state.abandoned {
                return;
            }
        }
        let stream = BlockingSocket {
            socket,
            turn: Arc::clone(&thread_turn),
            read_deadline: None,
        };
        let ws =
            WebSocket::from_connection_with_clock(stream, conn, SimClock(Arc::clone(&thread_turn)));
        let outcome = play(ws, &script, peer_messages);
        thread_turn.lock().outcome = Some(outcome);
        drop(guard);
    });
    Box::pin(BlockingTask {
        turn,
        thread: Some(thread),
        timer: None,
        out,
    })
}

type Ws = WebSocket<BlockingSocket, SimClock>;

fn receive(
    ws: &mut Ws,
    out: &mut Outcome,
    partial: &mut Option<(MessageKind, BytesMut)>,
    streaming: bool,
) {
    let result = if streaming {
        ws.recv_event()
    } else {
        ws.recv().map(|m| m.map(Event::Message))
    };
    let result = result.map_err(|error| report(&error));
    let final_report = ws.close_report();
    record_receive(out, partial, result, || final_report);
}

fn play(mut ws: Ws, script: &SideScript, peer_messages: usize) -> Outcome {
    let mut out = Outcome::default();
    let mut rng = Rng::new(script.seed);
    let streaming = script.config.receive_mode == ReceiveMode::Streaming;
    let mut partial = None;
    'messages: for msg in &script.messages {
        out.largest_message = out.largest_message.max(msg.payload.len());
        let pieces = msg.pieces();
        for (i, piece) in pieces.iter().enumerate() {
            let fin = i + 1 == pieces.len();
            let result = if msg.cuts.is_empty() {
                let message = super::async_side::message(msg.kind, msg.payload.clone());
                if rng.chance(500) {
                    ws.write(message).and_then(|()| ws.flush())
                } else {
                    ws.send(message)
                }
            } else {
                ws.send_fragment(msg.kind, piece.clone(), fin)
            };
            out.max_buffered = out.max_buffered.max(ws.buffered_amount());
            match result {
                Ok(()) if fin => out.sent.push((msg.kind, msg.payload.clone())),
                Ok(()) => {}
                Err(wsflow::Error::Closed) => break 'messages,
                Err(error) => {
                    out.reports.push(report(&error));
                    break 'messages;
                }
            }
        }
    }
    if script.closer {
        while !out.ended && out.received.len() < peer_messages {
            receive(&mut ws, &mut out, &mut partial, streaming);
        }
        match ws.close(CloseCode::NORMAL, "bye") {
            Ok(closed) => out.close_report = Some(close_report(&closed)),
            Err(wsflow::Error::Closed) => {}
            Err(error) => out.reports.push(report(&error)),
        }
    }
    while !out.ended {
        receive(&mut ws, &mut out, &mut partial, streaming);
    }
    match ws.recv() {
        Ok(None) => {}
        other => out.after_end.push(format!("after the end: {other:?}")),
    }
    out
}
