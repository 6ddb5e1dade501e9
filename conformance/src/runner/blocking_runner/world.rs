//! The shared world of a blocking runner session: the in-memory stream, the virtual clock,
//! and the bookkeeping of what each endpoint thread waits for (see the parent module).

use std::cell::Cell;
use std::collections::VecDeque;
use std::io::{self, IoSlice, Read, Write};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use wsflow::blocking::{Clock, Stream, Writer};
use wsflow_core::Event;

use super::super::ActionError;
use crate::script::HandshakeOutcome;

/// The writer half of the endpoint under test.
pub(super) type EndpointWriter = Writer<VirtualStream, VirtualClock>;

/// How long a command thread must have been in its call, while another thread is blocked
/// writing, before it counts as waiting for that write.
pub(super) const LOCK_GRACE: Duration = Duration::from_millis(20);
/// A session that does not settle within this (real) time has a hung endpoint.
pub(super) const SETTLE_LIMIT: Duration = Duration::from_secs(20);

/// The reader thread's slot in [`World::phases`]; command threads take the next ones.
pub(super) const READER: usize = 0;

thread_local! {
    /// Which endpoint thread this is, for the phase bookkeeping of the stream and clock.
    pub(super) static WHO: Cell<usize> = const { Cell::new(READER) };
}

/// What a thread waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum On {
    Read,
    Write,
    Sleep,
    Drain,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
    Running,
    /// A command thread inside its `Writer` call, since then. It may wait for another
    /// thread's write, on the connection's own condvar (see the module docs).
    InCall(Instant),
    /// In a tracked wait; `woken` once its wait ended and until the thread runs.
    Blocked {
        on: On,
        deadline: Option<Instant>,
        woken: bool,
    },
    /// The thread has ended.
    Gone,
}

/// Everything the endpoint threads and the session share.
#[derive(Debug)]
pub(super) struct World {
    pub(super) inbound: VecDeque<Vec<u8>>,
    pub(super) eof: bool,
    pub(super) outbound: Vec<u8>,
    pub(super) peer_reading: bool,
    pub(super) shutdown: bool,
    pub(super) base: Instant,
    pub(super) elapsed: Duration,
    pub(super) phases: Vec<Phase>,
    /// The writer half, once the connection is open; taken on drop (it holds the stream,
    /// which holds this world).
    pub(super) writer: Option<Arc<EndpointWriter>>,
    pub(super) draining: bool,
    /// Events the application still takes while not draining (`app takes N events`).
    pub(super) budget: usize,
    /// Our read half was shut down (an abort): reads return EOF at once.
    pub(super) read_closed: bool,
    pub(super) events: Vec<Event>,
    pub(super) outcome: Option<HandshakeOutcome>,
    pub(super) results: Vec<(usize, Result<(), ActionError>)>,
    pub(super) stop: bool,
}

impl World {
    pub(super) fn now(&self) -> Instant {
        self.base + self.elapsed
    }

    pub(super) fn ready(&self, on: On) -> bool {
        self.stop
            || match on {
                On::Read => !self.inbound.is_empty() || self.eof || self.read_closed,
                On::Write => self.peer_reading,
                On::Sleep => false,
                On::Drain => self.draining || self.budget > 0,
            }
    }

    /// Marks the waits that the last change ended.
    pub(super) fn wake(&mut self) {
        let now = self.now();
        for i in 0..self.phases.len() {
            if let Phase::Blocked {
                on,
                deadline,
                woken: false,
            } = self.phases[i]
            {
                if self.ready(on) || deadline.is_some_and(|deadline| deadline <= now) {
                    self.phases[i] = Phase::Blocked {
                        on,
                        deadline,
                        woken: true,
                    };
                }
            }
        }
    }

    pub(super) fn settled(&self) -> bool {
        (0..self.phases.len()).all(|i| match self.phases[i] {
            Phase::Blocked { woken, .. } => !woken,
            Phase::Gone => true,
            Phase::Running => false,
            Phase::InCall(since) => {
                since.elapsed() >= LOCK_GRACE
                    && self.phases.iter().any(|other| {
                        matches!(
                            other,
                            Phase::Blocked {
                                on: On::Write,
                                woken: false,
                                ..
                            }
                        )
                    })
            }
        })
    }

    /// The earliest deadline a tracked wait has, if it is at or before `target`.
    pub(super) fn next_deadline(&self, target: Instant) -> Option<Instant> {
        self.phases
            .iter()
            .filter_map(|phase| match phase {
                Phase::Blocked {
                    deadline: Some(deadline),
                    woken: false,
                    ..
                } => Some(*deadline),
                _ => None,
            })
            .filter(|deadline| *deadline <= target)
            .min()
    }
}

#[derive(Debug)]
pub(super) struct Shared {
    pub(super) world: Mutex<World>,
    pub(super) changed: Condvar,
}

impl Shared {
    /// A fresh world: empty stream, the peer reading, the application draining, time zero.
    pub(super) fn new() -> Self {
        Shared {
            world: Mutex::new(World {
                inbound: VecDeque::new(),
                eof: false,
                outbound: Vec::new(),
                peer_reading: true,
                shutdown: false,
                base: Instant::now(),
                elapsed: Duration::ZERO,
                phases: vec![Phase::Running],
                writer: None,
                draining: true,
                budget: 0,
                read_closed: false,
                events: Vec::new(),
                outcome: None,
                results: Vec::new(),
                stop: false,
            }),
            changed: Condvar::new(),
        }
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The calling thread waits for `on` until `deadline` (virtual); returns the world and
    /// whether the wait ended by its condition (false: by the deadline).
    pub(super) fn wait<'a>(
        &'a self,
        mut world: MutexGuard<'a, World>,
        on: On,
        deadline: Option<Instant>,
    ) -> (MutexGuard<'a, World>, bool) {
        let who = WHO.get();
        if !world.ready(on) && deadline.is_none_or(|deadline| deadline > world.now()) {
            world.phases[who] = Phase::Blocked {
                on,
                deadline,
                woken: false,
            };
            self.changed.notify_all();
            while !matches!(world.phases[who], Phase::Blocked { woken: true, .. }) {
                world = self
                    .changed
                    .wait(world)
                    .unwrap_or_else(PoisonError::into_inner);
            }
        }
        world.phases[who] = Phase::Running;
        let ready = world.ready(on);
        (world, ready)
    }

    /// Records the calling thread's phase.
    pub(super) fn set_phase(&self, phase: Phase) {
        let mut world = self.lock();
        world.phases[WHO.get()] = phase;
        self.changed.notify_all();
    }

    /// Applies a change from the session, wakes the waits it ends, and waits until the
    /// endpoint settles.
    pub(super) fn change(&self, change: impl FnOnce(&mut World)) -> MutexGuard<'_, World> {
        let mut world = self.lock();
        change(&mut world);
        world.wake();
        self.changed.notify_all();
        self.settle(world)
    }

    pub(super) fn settle<'a>(&'a self, mut world: MutexGuard<'a, World>) -> MutexGuard<'a, World> {
        let started = Instant::now();
        while !world.settled() {
            assert!(
                started.elapsed() < SETTLE_LIMIT,
                "the blocking endpoint did not settle: {:?}",
                world.phases
            );
            world = self
                .changed
                .wait_timeout(world, LOCK_GRACE)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        world
    }
}

/// The endpoint's end of the in-memory stream.
#[derive(Debug, Clone)]
pub(super) struct VirtualStream {
    pub(super) shared: Arc<Shared>,
    pub(super) read_timeout: Option<Duration>,
}

impl Read for VirtualStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let world = self.shared.lock();
        let deadline = self.read_timeout.map(|timeout| world.now() + timeout);
        let (mut world, ready) = self.shared.wait(world, On::Read, deadline);
        if world.stop {
            return Err(io::ErrorKind::ConnectionAborted.into());
        }
        if !ready {
            return Err(io::ErrorKind::TimedOut.into());
        }
        if world.read_closed {
            return Ok(0);
        }
        let Some(piece) = world.inbound.front_mut() else {
            return Ok(0);
        };
        let n = piece.len().min(buf.len());
        buf[..n].copy_from_slice(&piece[..n]);
        piece.drain(..n);
        if piece.is_empty() {
            world.inbound.pop_front();
        }
        Ok(n)
    }
}

impl Write for VirtualStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_vectored(&[IoSlice::new(buf)])
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let world = self.shared.lock();
        if world.shutdown {
            return Err(io::ErrorKind::BrokenPipe.into());
        }
        let (mut world, _) = self.shared.wait(world, On::Write, None);
        if world.stop {
            return Err(io::ErrorKind::ConnectionAborted.into());
        }
        let before = world.outbound.len();
        for buf in bufs {
            world.outbound.extend_from_slice(buf);
        }
        Ok(world.outbound.len() - before)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Stream for VirtualStream {
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        self.read_timeout = timeout;
        Ok(())
    }

    fn shutdown_write(&mut self) -> io::Result<()> {
        self.shared.lock().shutdown = true;
        Ok(())
    }

    /// An abort: our FIN, and a blocked read of ours returns (as after `shutdown(Both)`).
    fn shutdown_both(&mut self) -> io::Result<()> {
        let mut world = self.shared.lock();
        world.shutdown = true;
        world.read_closed = true;
        world.wake();
        self.shared.changed.notify_all();
        Ok(())
    }

    fn try_clone(&self) -> io::Result<Self> {
        Ok(self.clone())
    }
}

/// The session's virtual time.
#[derive(Debug, Clone)]
pub(super) struct VirtualClock(pub(super) Arc<Shared>);

impl Clock for VirtualClock {
    fn now(&self) -> Instant {
        self.0.lock().now()
    }

    fn sleep_until(&self, deadline: Instant) {
        let world = self.0.lock();
        drop(self.0.wait(world, On::Sleep, Some(deadline)));
    }
}
