//! The scheduler: runs one connection's tasks (both sides') on one thread, choosing from
//! the seed which woken task runs next, when the network's wake-ups are delivered, and when
//! the clock jumps. A state where no task is woken, no wake-up is on its way and no timer is
//! armed, while a task still waits, is a deadlock.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use wsflow_core::mask::MaskSource;
use wsflow_core::{Connection, Role};

use super::app::{Outcome, Script};
use super::async_side::{self, Task};
use super::blocking_side;
use super::core_side::CoreSide;
use super::network::{Net, SimSocket};
use super::{Flavor, Rng, Trace, VirtualTime};

/// Scheduler steps before a connection that has not ended counts as stuck.
const MAX_STEPS: u64 = 2_000_000;
/// Virtual time after which a connection that has not ended counts as stuck.
const MAX_VIRTUAL: Duration = Duration::from_secs(600);

/// What a connection's run gave.
#[derive(Debug)]
pub struct ConnectionResult {
    /// Client's and server's records.
    pub outcomes: [Outcome; 2],
    /// The network's fault happened.
    pub faulted: bool,
    /// The hash of every byte moved and event seen.
    pub trace: u64,
    /// The hash of the messages each side received.
    pub delivered: u64,
    /// The run did not end: why, and what was still waiting.
    pub stuck: Option<String>,
}

struct Flag(AtomicBool);

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Mask keys from the seed, so that the bytes on the wire replay.
#[derive(Debug)]
struct SeededMask(Rng);

impl MaskSource for SeededMask {
    fn next_key(&mut self) -> [u8; 4] {
        (self.0.next_u64() as u32).to_le_bytes()
    }
}

fn side_tasks(
    flavor: Flavor,
    socket: SimSocket,
    conn: Connection,
    script: &Script,
    side: usize,
    out: Rc<RefCell<Outcome>>,
) -> Vec<Task> {
    let own = script.sides[side].clone();
    let peer_messages = script.sides[1 - side].messages.len();
    match flavor {
        Flavor::Core => vec![Box::pin(CoreSide::new(
            conn,
            socket,
            own,
            peer_messages,
            out,
        ))],
        Flavor::Blocking => vec![blocking_side::task(socket, conn, own, peer_messages, out)],
        Flavor::Tokio => async_side::tasks(
            wsflow::tokio::TokioIo(socket),
            conn,
            own,
            peer_messages,
            out,
        ),
        Flavor::Smol => async_side::tasks(
            wsflow::futures_io::FuturesIo(socket),
            conn,
            own,
            peer_messages,
            out,
        ),
        Flavor::AsyncStd => async_side::tasks(
            wsflow::async_std::AsyncStdIo(socket),
            conn,
            own,
            peer_messages,
            out,
        ),
    }
}

/// Runs one connection: `flavors[0]` is the client's, `flavors[1]` the server's. The run is
/// hosted by the client's runtime's `block_on` (the simulator polls every task itself).
pub fn run_connection(script: &Script, flavors: [Flavor; 2], verbose: bool) -> ConnectionResult {
    let run = || schedule(script, flavors, verbose);
    match flavors[0] {
        Flavor::Core | Flavor::Blocking => run(),
        Flavor::Tokio => TOKIO.with(|rt| rt.block_on(async { run() })),
        Flavor::Smol => smol::block_on(async { run() }),
        Flavor::AsyncStd => async_std::task::block_on(async { run() }),
    }
}

thread_local! {
    static TOKIO: tokio::runtime::Runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a current-thread tokio runtime");
}

fn schedule(script: &Script, flavors: [Flavor; 2], verbose: bool) -> ConnectionResult {
    VirtualTime::reset();
    let start: Instant = VirtualTime::now();
    let mut rng = Rng::new(script.net_seed);
    let net = Net::new(rng.fork(), script.fault);
    let outcomes = [
        Rc::new(RefCell::new(Outcome::default())),
        Rc::new(RefCell::new(Outcome::default())),
    ];
    let mut tasks: Vec<(Task, Arc<Flag>, bool, usize)> = Vec::new();
    for side in 0..2 {
        let role = if side == 0 {
            Role::Client
        } else {
            Role::Server
        };
        let conn = Connection::new(role, script.sides[side].config.clone(), start)
            .with_mask_source(Box::new(SeededMask(Rng::new(
                script.sides[side].seed ^ 0x5eed,
            ))));
        for task in side_tasks(
            flavors[side],
            net.socket(side),
            conn,
            script,
            side,
            Rc::clone(&outcomes[side]),
        ) {
            tasks.push((task, Arc::new(Flag(AtomicBool::new(true))), false, side));
        }
    }
    // Wake-ups on their way: (the step at which each arrives, the waker).
    let mut delayed: Vec<(u64, Waker)> = Vec::new();
    let mut stuck = None;
    let mut step = 0u64;
    loop {
        step += 1;
        for waker in net.take_wakes() {
            delayed.push((step + rng.below(4), waker));
        }
        if !delayed.is_empty() {
            // Due wake-ups arrive in random order.
            let mut due: Vec<Waker> = Vec::new();
            delayed.retain(|(at, waker)| {
                let keep = *at > step;
                if !keep {
                    due.push(waker.clone());
                }
                keep
            });
            while !due.is_empty() {
                due.swap_remove(rng.below(due.len() as u64) as usize).wake();
            }
        }
        let runnable: Vec<usize> = (0..tasks.len())
            .filter(|&i| !tasks[i].2 && tasks[i].1.0.load(Ordering::SeqCst))
            .collect();
        if runnable.is_empty() {
            if tasks.iter().all(|t| t.2) {
                break;
            }
            if let Some(index) = (0..delayed.len()).min_by_key(|&i| delayed[i].0) {
                delayed.swap_remove(index).1.wake();
                continue;
            }
            // Nothing can run before a timer: the clock jumps to it.
            if let Some(deadline) = VirtualTime::next_deadline() {
                VirtualTime::set(deadline);
            } else {
                stuck = Some(
                    "deadlock: no task can run, no wake-up is coming, no timer is armed".to_owned(),
                );
                break;
            }
        } else {
            let pick = runnable[rng.below(runnable.len() as u64) as usize];
            let (task, flag, done, side) = &mut tasks[pick];
            flag.0.store(false, Ordering::SeqCst);
            let waker = Waker::from(Arc::clone(flag));
            let mut cx = Context::from_waker(&waker);
            if let Poll::Ready(()) = task.as_mut().poll(&mut cx) {
                *done = true;
                let side = *side;
                if tasks.iter().all(|t| t.3 != side || t.2) {
                    // The side's application is done and has dropped its socket.
                    net.drop_side(side);
                }
                let (_, _, _, side) = &tasks[pick];
                if verbose {
                    eprintln!("  step {step}: {} task done", ["client", "server"][*side]);
                }
            }
        }
        if rng.chance(script.jitter) {
            VirtualTime::set(VirtualTime::now() + Duration::from_millis(1 + rng.below(5)));
        }
        if step >= MAX_STEPS || VirtualTime::now() - start > MAX_VIRTUAL {
            stuck = Some(format!(
                "no end after {step} steps and {:?} of virtual time",
                VirtualTime::now() - start
            ));
            break;
        }
    }
    if let Some(why) = &mut stuck {
        let waiting: Vec<String> = tasks
            .iter()
            .filter(|t| !t.2)
            .map(|t| ["client", "server"][t.3].to_owned())
            .collect();
        let network = net.describe();
        *why = format!("{why}; still waiting: {waiting:?}; network: {network}");
    }
    drop(tasks);
    let outcomes = outcomes.map(|o| o.borrow().clone());
    let mut delivered = Trace::default();
    for (side, outcome) in outcomes.iter().enumerate() {
        for (kind, bytes) in &outcome.received {
            delivered.add(
                side as u8 * 2 + u8::from(*kind == wsflow_core::MessageKind::Text),
                bytes,
            );
        }
        net.trace(b'O', format!("{:?}", outcome.reports).as_bytes());
    }
    if verbose {
        for (side, own) in script.sides.iter().enumerate() {
            eprintln!(
                "  {} script: {} messages, closer {}, waits for the peer {}, split {}, cancel {}‰, {:?}, events {}, high water {}, keepalive {:?}",
                ["client", "server"][side],
                own.messages.len(),
                own.closer,
                own.wait_for_peer,
                own.split,
                own.cancel,
                own.config.receive_mode,
                own.config.max_pending_events,
                own.config.write_buffer_high_water,
                own.config.keepalive.map(|k| k.interval)
            );
        }
        for (side, outcome) in outcomes.iter().enumerate() {
            eprintln!(
                "  {} ({}): sent {} received {} reports {:?} close {:?} max buffered {}",
                ["client", "server"][side],
                flavors[side],
                outcome.sent.len(),
                outcome.received.len(),
                outcome.reports,
                outcome.close_report,
                outcome.max_buffered
            );
        }
    }
    ConnectionResult {
        outcomes,
        faulted: net.faulted(),
        trace: net.trace_hash(),
        delivered: delivered.finish(),
        stuck,
    }
}
