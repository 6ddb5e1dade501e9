//! The soak test: thousands of real loopback connections on one runtime for minutes, each
//! client echoing random messages through a wsflow server in the same process, with random
//! cancellation of every kind of future, random aborts, and permessage-deflate on a share of
//! the connections. `bench/soak.sh` runs it on every runtime; `soak --help` lists the knobs.
//!
//! What fails a run: an echo that is lost, duplicated, reordered or changed; a clean close
//! that does not complete; a server connection still open after every client has ended;
//! a protocol error anywhere; or RSS that keeps growing after the warm-up (see
//! [`sample::Verdict`]).
//!
//! The connection logic is written once, generic over any runtime's `WebSocket<T, R>`;
//! [`runtimes`] holds the accept loop, the connect and the spawn of each runtime.

pub mod runtimes;
pub mod sample;
mod session;

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub use session::{client_slot, serve_connection};

/// What one soak run does.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Client connections kept open at once (each slot reconnects when its session ends).
    pub connections: usize,
    /// How long clients keep starting new rounds.
    pub duration: Duration,
    /// RSS samples taken before this point are warm-up and not judged.
    pub warmup: Duration,
    /// Share of client connections that offer permessage-deflate (0.0..=1.0).
    pub deflate_share: f64,
    /// Chance per round that the client aborts its connection instead of carrying on.
    pub abort_chance: f64,
    /// Chance that any one `recv`, `send`, `flush` or `close` is raced against a short timer
    /// and dropped if the timer wins (then retried).
    pub cancel_chance: f64,
    /// Largest message a client sends.
    pub max_message: usize,
    /// Seed of every random choice (each slot derives its own).
    pub seed: u64,
}

impl Default for Plan {
    fn default() -> Self {
        Plan {
            connections: 2000,
            duration: Duration::from_secs(60),
            warmup: Duration::from_secs(15),
            deflate_share: 0.25,
            abort_chance: 0.005,
            cancel_chance: 0.2,
            max_message: 64 * 1024,
            seed: 1,
        }
    }
}

/// Counters shared by every task of a run.
#[derive(Debug, Default)]
pub struct Tally {
    /// Messages the clients had echoed back intact.
    pub echoed: AtomicU64,
    /// Client sessions started (connections made).
    pub sessions: AtomicU64,
    /// Sessions that ended with a clean close handshake.
    pub clean_closes: AtomicU64,
    /// Sessions the client aborted on purpose.
    pub aborts: AtomicU64,
    /// Futures dropped because their timer won.
    pub cancellations: AtomicU64,
    /// Sessions that negotiated permessage-deflate.
    pub deflate_sessions: AtomicU64,
    /// Server connections that ended with an error (expected only after a client abort).
    pub server_errors: AtomicU64,
    /// Client connections open now.
    pub client_open: AtomicUsize,
    /// Server connections open now.
    pub server_open: AtomicUsize,
    /// What went wrong, one line each (the run fails if this is not empty).
    pub failures: Mutex<Vec<String>>,
}

impl Tally {
    /// Records a failure; only the first 100 are kept.
    pub fn fail(&self, what: String) {
        if let Ok(mut failures) = self.failures.lock()
            && failures.len() < 100
        {
            failures.push(what);
        }
    }

    /// The failures recorded so far.
    pub fn failures(&self) -> Vec<String> {
        self.failures.lock().map(|f| f.clone()).unwrap_or_default()
    }

    /// Reads a counter.
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}

/// SplitMix64: small, fast and good enough to drive a test; every slot seeds its own.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        // 53 random bits make a uniform f64 in [0, 1).
        #[allow(clippy::cast_precision_loss)]
        let unit = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        unit < p
    }
}

/// Waits until the server has no connection open, up to `limit`; true if it got there.
pub fn wait_for_server_drain(tally: &Tally, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    while tally.server_open.load(Ordering::Relaxed) > 0 {
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    true
}
