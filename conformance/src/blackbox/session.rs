//! The [`Session`] of a black-box endpoint: the scripted peer's side of a real TCP
//! connection to another process.
//!
//! A thread reads everything the endpoint writes into an inbox, noting how the stream ended
//! (FIN or reset). The executor's observations take from the inbox; its waits block on it
//! (see [`Session::wait`]). The peer's pieces are written one `write` each with `TCP_NODELAY`,
//! so each leaves as its own segment.

use std::io::{Read as _, Write as _};
use std::net::{Shutdown, TcpStream};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::output::Output;
use crate::runner::{ActionError, Observation, Session, Wait};
use crate::script::AppAction;

/// How long a black-box session waits.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// The longest wait for something a script expects (output, an echo, the FIN).
    pub timeout: Duration,
    /// How long the endpoint gets to do what a script rules out (`expect no output`,
    /// `expect no event`, the end of a script).
    pub quiet: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            timeout: Duration::from_secs(2),
            quiet: Duration::from_millis(30),
        }
    }
}

/// What the reader thread has seen.
#[derive(Debug, Default)]
struct Received {
    bytes: Vec<u8>,
    /// The stream ended: `Some("")` for a FIN, else the error (a reset).
    ended: Option<String>,
    /// Bumped on every change, so a waiter knows something happened.
    generation: u64,
}

#[derive(Debug, Default)]
struct Inbox {
    received: Mutex<Received>,
    changed: Condvar,
}

impl Inbox {
    fn lock(&self) -> MutexGuard<'_, Received> {
        self.received.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One script run against a black-box endpoint.
#[derive(Debug)]
pub struct TcpSession {
    stream: TcpStream,
    inbox: Arc<Inbox>,
    reader: Option<JoinHandle<()>>,
    /// Bytes of the inbox already observed.
    taken: usize,
    /// The inbox generation last observed.
    seen: u64,
    output: Output,
    timing: Timing,
    /// A wait gave up: the next observation hands over an incomplete frame as it is.
    gave_up: bool,
}

impl TcpSession {
    /// Starts reading `stream`, whose endpoint's output `output` splits; `already` are bytes
    /// it wrote that the opening handshake read past.
    pub fn new(
        stream: TcpStream,
        already: Vec<u8>,
        output: Output,
        timing: Timing,
    ) -> std::io::Result<Self> {
        stream.set_nodelay(true)?;
        stream.set_read_timeout(None)?;
        let inbox = Arc::new(Inbox::default());
        inbox.lock().bytes = already;
        let mut reading = stream.try_clone()?;
        let shared = Arc::clone(&inbox);
        let reader = std::thread::spawn(move || {
            let mut buf = vec![0; 64 * 1024];
            loop {
                let result = reading.read(&mut buf);
                let mut received = shared.lock();
                received.generation += 1;
                match result {
                    Ok(0) => received.ended = Some(String::new()),
                    Ok(n) => received
                        .bytes
                        .extend_from_slice(buf.get(..n).unwrap_or_default()),
                    Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(error) => received.ended = Some(error.to_string()),
                }
                let ended = received.ended.is_some();
                drop(received);
                shared.changed.notify_all();
                if ended {
                    break;
                }
            }
        });
        Ok(TcpSession {
            stream,
            inbox,
            reader: Some(reader),
            taken: 0,
            seen: 0,
            output,
            timing,
            gave_up: false,
        })
    }
}

impl Session for TcpSession {
    fn peer_send(&mut self, piece: &[u8]) {
        // The endpoint may have gone (a reset); what it would have read no longer matters,
        // and the script judges what it wrote before.
        let _ = self.stream.write_all(piece);
    }

    fn peer_eof(&mut self) {
        let _ = self.stream.shutdown(Shutdown::Write);
    }

    // Not applicable to a black-box endpoint (see `select`): scripts needing these do not run.
    fn set_peer_reading(&mut self, _reading: bool) {}

    fn set_draining(&mut self, _draining: bool) {}

    fn take_events(&mut self, _n: usize) {}

    fn advance(&mut self, by: Duration) {
        std::thread::sleep(by);
    }

    fn app(&mut self, _action: &AppAction) -> Result<(), ActionError> {
        Err(ActionError::Other(
            "a black-box endpoint takes no commands".into(),
        ))
    }

    fn observe(&mut self) -> Observation {
        let received = self.inbox.lock();
        self.seen = received.generation;
        let new = received
            .bytes
            .get(self.taken..)
            .unwrap_or_default()
            .to_vec();
        self.taken = received.bytes.len();
        let ended = received.ended.is_some();
        drop(received);
        let mut observation = Observation::default();
        self.output
            .feed(&new, &mut observation.sent, &mut observation.events);
        if ended || std::mem::take(&mut self.gave_up) {
            self.output.flush(&mut observation.sent);
        }
        observation.shutdown = ended;
        observation
    }

    fn wait(&mut self, wait: Wait) -> bool {
        let limit = match wait {
            Wait::Expected => self.timing.timeout,
            Wait::Quiet => self.timing.quiet,
        };
        let deadline = Instant::now() + limit;
        let mut received = self.inbox.lock();
        loop {
            if received.generation != self.seen {
                return true;
            }
            if received.ended.is_some() {
                return false;
            }
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                // An incomplete frame is all there is: hand it over as it is, once.
                self.gave_up = wait == Wait::Expected && self.output.has_pending();
                return self.gave_up;
            };
            received = self
                .inbox
                .changed
                .wait_timeout(received, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

impl Drop for TcpSession {
    fn drop(&mut self) {
        let _ = self.stream.shutdown(Shutdown::Both);
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}

/// The session of a connection that could not be opened: nothing happens on it. The runner
/// keeps the reason, which the report shows instead of the script's first unmet expectation.
#[derive(Debug, Default)]
pub(super) struct Unopened;

impl Session for Unopened {
    fn peer_send(&mut self, _piece: &[u8]) {}

    fn peer_eof(&mut self) {}

    fn set_peer_reading(&mut self, _reading: bool) {}

    fn set_draining(&mut self, _draining: bool) {}

    fn take_events(&mut self, _n: usize) {}

    fn advance(&mut self, _by: Duration) {}

    fn app(&mut self, _action: &AppAction) -> Result<(), ActionError> {
        Err(ActionError::Other("not connected".into()))
    }

    fn observe(&mut self) -> Observation {
        Observation::default()
    }
}
