//! Deterministic simulation testing: from one `u64` seed, many connections — a client and a
//! server, each on the bare core, the blocking layer, or the async driver over tokio's,
//! smol's or async-std's glue — run over a simulated network ([`network`]) that cuts reads and writes at random
//! sizes, pends at random, delays and reorders wake-ups, and may reset or cut the connection;
//! the applications ([`app`]) send random messages (multi-byte UTF-8 text, fragments), drop
//! futures at random await points and retry them, and close; [`check`] says whether what
//! each side saw is what the documentation promises.
//!
//! Everything runs on one thread, scheduled by [`world`] from the seed, on the virtual clock
//! [`VirtualTime`] (keepalive and close timers fire in virtual time; when nothing can run,
//! the clock jumps to the next deadline, and a state where nothing can run and no timer is
//! armed is a deadlock). The executors of the runtimes only host the run: the simulator
//! polls every task itself, which is what makes a seed replayable.

pub mod app;
mod async_side;
mod blocking_side;
pub mod check;
mod core_side;
pub mod network;
pub mod world;

use std::fmt;

pub use crate::runner::adapter_runner::VirtualTime;
pub use world::{ConnectionResult, run_connection};

/// SplitMix64: small, fast, and good enough to pick cut sizes and coin flips.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`0` when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    /// True with probability `per_mille`/1000.
    pub fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    /// An independent generator (for one part of the simulation, so that the others'
    /// draws do not shift when this part draws more or less).
    pub fn fork(&mut self) -> Rng {
        Rng(self.next_u64())
    }
}

/// The hash of a run's events and bytes (FNV-like, a word at a time, over tagged records).
#[derive(Debug, Clone)]
pub struct Trace(u64);

impl Default for Trace {
    fn default() -> Self {
        Trace(0xcbf2_9ce4_8422_2325)
    }
}

impl Trace {
    /// Adds a record.
    pub fn add(&mut self, tag: u8, bytes: &[u8]) {
        self.mix(u64::from(tag) << 56 | bytes.len() as u64);
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(word));
        }
        let mut word = [0; 8];
        word[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
        self.mix(u64::from_le_bytes(word));
    }

    fn mix(&mut self, word: u64) {
        self.0 = (self.0 ^ word)
            .wrapping_mul(0x0100_0000_01b3)
            .rotate_left(29);
    }

    /// The hash so far.
    pub fn finish(&self) -> u64 {
        self.0
    }
}

/// What one side of a connection runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// `wsflow_core::Connection` with the simulator's own small driver.
    Core,
    /// `wsflow::blocking::WebSocket` with a virtual clock, on a thread taking turns.
    Blocking,
    /// `wsflow::WebSocket` over `wsflow::tokio::TokioIo`, in tokio's `block_on`.
    Tokio,
    /// `wsflow::WebSocket` over `wsflow::futures_io::FuturesIo` (smol's glue), in smol's `block_on`.
    Smol,
    /// `wsflow::WebSocket` over `wsflow::async_std::AsyncStdIo`, in async-std's `block_on`.
    AsyncStd,
}

impl Flavor {
    /// Every flavor.
    pub const ALL: [Flavor; 5] = [
        Flavor::Core,
        Flavor::Blocking,
        Flavor::Tokio,
        Flavor::Smol,
        Flavor::AsyncStd,
    ];

    /// The name `--runtime` takes.
    pub fn name(self) -> &'static str {
        match self {
            Flavor::Core => "core",
            Flavor::Blocking => "blocking",
            Flavor::Tokio => "tokio",
            Flavor::Smol => "smol",
            Flavor::AsyncStd => "async-std",
        }
    }

    /// The flavors a `--runtime` value selects.
    pub fn parse(name: &str) -> Option<Vec<Flavor>> {
        if name == "all" {
            return Some(Flavor::ALL.to_vec());
        }
        Flavor::ALL
            .into_iter()
            .find(|flavor| flavor.name() == name)
            .map(|flavor| vec![flavor])
    }
}

impl fmt::Display for Flavor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Connections per seed.
pub const CONNECTIONS_PER_SEED: usize = 4;

/// What one seed did: connections run and the hash of all their traces.
#[derive(Debug, Clone)]
pub struct SeedReport {
    /// Connections run (replays for the determinism checks included).
    pub connections: usize,
    /// The hash of every connection's trace.
    pub trace: u64,
}

/// Runs one seed: [`CONNECTIONS_PER_SEED`] connections on sides drawn from `flavors`, each
/// checked; the first connection is run again (same trace required) and, when it had no
/// fault, once more with other flavors (same messages delivered required).
///
/// # Errors
///
/// The first failed check, with the connection it concerns.
pub fn run_seed(seed: u64, flavors: &[Flavor], verbose: bool) -> Result<SeedReport, String> {
    let mut rng = Rng::new(seed);
    let mut trace = Trace::default();
    let mut connections = 0;
    for index in 0..CONNECTIONS_PER_SEED {
        let script = app::Script::generate(&mut rng.fork());
        let pick = |rng: &mut Rng| {
            let sides = [0, 1].map(|_| flavors[rng.below(flavors.len() as u64) as usize]);
            // Two single-threaded blocking applications can both block writing (see
            // `blocking_side`): the server runs on the core then.
            if sides == [Flavor::Blocking; 2] {
                [Flavor::Blocking, Flavor::Core]
            } else {
                sides
            }
        };
        let sides = pick(&mut rng);
        let result = run_connection(&script, sides, verbose);
        connections += 1;
        let context = |what: &str| {
            format!(
                "connection {index} (client {}, server {}, fault {:?}): {what}",
                sides[0], sides[1], script.fault
            )
        };
        check::check(&script, &result).map_err(|e| context(&e))?;
        trace.add(b'C', &result.trace.to_le_bytes());
        if index == 0 {
            let again = run_connection(&script, sides, false);
            connections += 1;
            if again.trace != result.trace {
                return Err(context("the same seed gave another trace (nondeterminism)"));
            }
            if !result.faulted {
                let other = pick(&mut rng);
                let replay = run_connection(&script, other, false);
                connections += 1;
                check::check(&script, &replay)
                    .map_err(|e| context(&format!("replay on {other:?}: {e}")))?;
                // When a side closes before the other sent everything, how much got out depends
                // on timing; otherwise the messages delivered must not depend on the runtime.
                let all_sent = |r: &ConnectionResult| {
                    (0..2).all(|side| {
                        r.outcomes[side].sent.len() == script.sides[side].messages.len()
                    })
                };
                if all_sent(&result) && all_sent(&replay) && replay.delivered != result.delivered {
                    return Err(context(&format!(
                        "messages delivered differ on client {} / server {}",
                        other[0], other[1]
                    )));
                }
            }
        }
    }
    Ok(SeedReport {
        connections,
        trace: trace.finish(),
    })
}

/// The command that replays one seed.
pub fn replay_command(seed: u64, runtime: &str) -> String {
    format!(
        "cargo run -p wsflow-conformance --bin wsflow-sim -- --start {seed} --seeds 1 --runtime {runtime} --verbose"
    )
}
