//! What one client slot and one server connection do, written once for every runtime: the
//! runtime appears only as the `R` of `WebSocket<T, R>` (its timer races the futures).

use std::collections::VecDeque;
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use futures_util::future::{Either, select};
use wsflow::core::{CloseCode, Message};
use wsflow::{Error, Runtime, Transport, WebSocket};

use super::{Plan, Rng, Tally};

/// How long an echo may take before it counts as lost (generous: thousands of connections
/// share two cores, and a 256 KiB message may wait behind others).
const ECHO_LIMIT: Duration = Duration::from_secs(60);
/// The longest a cancelled future runs before its timer drops it.
const CANCEL_WITHIN_MICROS: u64 = 2000;

/// Runs `fut` until `deadline`; `None` if the timer won (and `fut` was dropped).
async fn race<R: Runtime, F: Future>(fut: F, deadline: Instant) -> Option<F::Output> {
    let fut = pin!(fut);
    let timer = pin!(R::sleep_until(deadline));
    match select(fut, timer).await {
        Either::Left((output, _)) => Some(output),
        Either::Right(_) => None,
    }
}

/// A deadline that cancels soon when the dice say so, else the long `limit`.
fn pick_deadline(rng: &mut Rng, plan: &Plan, limit: Duration) -> (Instant, bool) {
    if rng.chance(plan.cancel_chance) {
        let soon = Duration::from_micros(rng.below(CANCEL_WITHIN_MICROS));
        (Instant::now() + soon, true)
    } else {
        (Instant::now() + limit, false)
    }
}

/// Why a retried operation gave up.
enum Gave {
    Up(Error),
    Late,
}

/// `recv`, dropped at random points and called again, as a cancel-safe future promises.
async fn recv_retrying<T: Transport, R: Runtime>(
    ws: &mut WebSocket<T, R>,
    rng: &mut Rng,
    plan: &Plan,
    tally: &Tally,
    limit: Duration,
) -> Result<Option<Message>, Gave> {
    let started = Instant::now();
    loop {
        let (deadline, cancelling) = pick_deadline(rng, plan, limit);
        match race::<R, _>(ws.recv(), deadline).await {
            Some(result) => return result.map_err(Gave::Up),
            None if cancelling => {
                tally.cancellations.fetch_add(1, Ordering::Relaxed);
            }
            None => {}
        }
        if started.elapsed() >= limit {
            return Err(Gave::Late);
        }
    }
}

/// `send`: all or nothing, so a send dropped before it finished queued nothing and is sent
/// again (a duplicate echo would show the promise broken).
async fn send_retrying<T: Transport, R: Runtime>(
    ws: &mut WebSocket<T, R>,
    message: &Message,
    rng: &mut Rng,
    plan: &Plan,
    tally: &Tally,
) -> Result<(), Gave> {
    let started = Instant::now();
    loop {
        let (deadline, cancelling) = pick_deadline(rng, plan, ECHO_LIMIT);
        match race::<R, _>(ws.send(message.clone()), deadline).await {
            Some(result) => return result.map_err(Gave::Up),
            None if cancelling => {
                tally.cancellations.fetch_add(1, Ordering::Relaxed);
            }
            None => {}
        }
        if started.elapsed() >= ECHO_LIMIT {
            return Err(Gave::Late);
        }
    }
}

/// `flush`, dropped at random and resumed.
async fn flush_retrying<T: Transport, R: Runtime>(
    ws: &mut WebSocket<T, R>,
    rng: &mut Rng,
    plan: &Plan,
    tally: &Tally,
) -> Result<(), Gave> {
    let started = Instant::now();
    loop {
        let (deadline, cancelling) = pick_deadline(rng, plan, ECHO_LIMIT);
        match race::<R, _>(ws.flush(), deadline).await {
            Some(result) => return result.map_err(Gave::Up),
            None if cancelling => {
                tally.cancellations.fetch_add(1, Ordering::Relaxed);
            }
            None => {}
        }
        if started.elapsed() >= ECHO_LIMIT {
            return Err(Gave::Late);
        }
    }
}

/// A random message whose content tells its sequence number: half text (multi-byte UTF-8
/// throughout), half binary; mostly small, some up to `plan.max_message`.
fn make_message(rng: &mut Rng, seq: u64, plan: &Plan) -> Message {
    let max = plan.max_message as u64;
    let size = match rng.below(100) {
        0..70 => rng.below(256),
        70..95 => 256 + rng.below(16 * 1024),
        _ => rng.below(max.max(1)),
    }
    .min(max);
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    if rng.chance(0.5) {
        const FILL: &str = "héllo wörld ✓ 𝄞 ";
        let mut text = format!("{seq}:");
        while text.len() < size {
            text.push_str(FILL);
        }
        let mut cut = size.max(text.find(':').map_or(0, |colon| colon + 1));
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        Message::text(text)
    } else {
        let mut data = seq.to_le_bytes().to_vec();
        data.extend((data.len()..size).map(|i| (seq as usize).wrapping_add(i) as u8));
        Message::binary(data)
    }
}

/// A short description of a message for failure lines.
fn describe(message: &Message) -> String {
    let bytes = message.as_bytes();
    let head = bytes.get(..bytes.len().min(12)).unwrap_or_default();
    format!("{} bytes starting {head:02x?}", bytes.len())
}

/// One client slot: connects (deflate offered with `plan.deflate_share`), runs a session of
/// random rounds, ends it cleanly or aborts, and reconnects until `plan.duration` is over.
pub async fn client_slot<T, R, C, Fut>(
    slot: usize,
    plan: Arc<Plan>,
    tally: Arc<Tally>,
    started: Instant,
    connect: C,
) where
    T: Transport,
    R: Runtime,
    C: Fn(bool) -> Fut,
    Fut: Future<Output = Result<WebSocket<T, R>, Error>>,
{
    let mut rng = Rng::new(plan.seed ^ (slot as u64 + 1).wrapping_mul(0xa076_1d64_78bd_642f));
    // Slots start spread over the first half of the warm-up: thousands of handshakes in the
    // same instant measure the accept backlog, not the steady state this test is about.
    let spread = plan.warmup / 2;
    let share = u32::try_from(slot % plan.connections.max(1)).unwrap_or(0);
    let count = u32::try_from(plan.connections.max(1)).unwrap_or(u32::MAX);
    R::sleep_until(started + spread / count * share).await;
    while started.elapsed() < plan.duration {
        let deflate = rng.chance(plan.deflate_share);
        match connect(deflate).await {
            Ok(mut ws) => {
                tally.sessions.fetch_add(1, Ordering::Relaxed);
                tally.client_open.fetch_add(1, Ordering::Relaxed);
                let negotiated = ws
                    .opened()
                    .is_some_and(|opened| !opened.extensions.is_empty());
                if negotiated != deflate {
                    tally.fail(format!(
                        "slot {slot}: deflate offered {deflate}, agreed {negotiated}"
                    ));
                }
                if negotiated {
                    tally.deflate_sessions.fetch_add(1, Ordering::Relaxed);
                }
                client_session(&mut ws, slot, &mut rng, &plan, &tally, started).await;
                tally.client_open.fetch_sub(1, Ordering::Relaxed);
            }
            Err(error) => tally.fail(format!("slot {slot}: connect failed: {error}")),
        }
    }
}

/// Rounds of 1–4 messages sent, then their echoes checked in order; then a clean close, or
/// an abort at a random round.
async fn client_session<T: Transport, R: Runtime>(
    ws: &mut WebSocket<T, R>,
    slot: usize,
    rng: &mut Rng,
    plan: &Plan,
    tally: &Tally,
    started: Instant,
) {
    let rounds = 1 + rng.below(100);
    let mut seq = 0u64;
    let mut expected = VecDeque::new();
    for _ in 0..rounds {
        if started.elapsed() >= plan.duration {
            break;
        }
        if rng.chance(plan.abort_chance) {
            ws.abort();
            tally.aborts.fetch_add(1, Ordering::Relaxed);
            return;
        }
        for _ in 0..=rng.below(4) {
            let message = make_message(rng, seq, plan);
            seq += 1;
            if let Err(gave) = send_retrying(ws, &message, rng, plan, tally).await {
                return give_up(ws, slot, "send", gave, tally);
            }
            expected.push_back(message);
        }
        if let Err(gave) = flush_retrying(ws, rng, plan, tally).await {
            return give_up(ws, slot, "flush", gave, tally);
        }
        while let Some(want) = expected.pop_front() {
            match recv_retrying(ws, rng, plan, tally, ECHO_LIMIT).await {
                Ok(Some(got)) if got == want => {
                    tally.echoed.fetch_add(1, Ordering::Relaxed);
                }
                Ok(Some(got)) => {
                    tally.fail(format!(
                        "slot {slot}: echo mismatch: wanted {}, got {}",
                        describe(&want),
                        describe(&got)
                    ));
                    ws.abort();
                    return;
                }
                Ok(None) => {
                    tally.fail(format!(
                        "slot {slot}: connection ended with echoes outstanding"
                    ));
                    return;
                }
                Err(gave) => return give_up(ws, slot, "recv", gave, tally),
            }
        }
    }
    close_cleanly(ws, slot, rng, plan, tally).await;
}

/// `close`, dropped at random and called again (it is resumable): the handshake must
/// complete cleanly.
async fn close_cleanly<T: Transport, R: Runtime>(
    ws: &mut WebSocket<T, R>,
    slot: usize,
    rng: &mut Rng,
    plan: &Plan,
    tally: &Tally,
) {
    let started = Instant::now();
    loop {
        let (deadline, cancelling) = pick_deadline(rng, plan, ECHO_LIMIT);
        match race::<R, _>(ws.close(CloseCode::NORMAL, "done"), deadline).await {
            Some(Ok(report)) if report.was_clean() => {
                tally.clean_closes.fetch_add(1, Ordering::Relaxed);
                return;
            }
            Some(Ok(report)) => {
                tally.fail(format!("slot {slot}: close not clean: {report:?}"));
                return;
            }
            Some(Err(error)) => {
                tally.fail(format!("slot {slot}: close failed: {error}"));
                return;
            }
            None if cancelling => {
                tally.cancellations.fetch_add(1, Ordering::Relaxed);
            }
            None => {}
        }
        if started.elapsed() >= ECHO_LIMIT {
            tally.fail(format!(
                "slot {slot}: close did not complete in {ECHO_LIMIT:?}"
            ));
            return;
        }
    }
}

fn give_up<T: Transport, R: Runtime>(
    ws: &mut WebSocket<T, R>,
    slot: usize,
    what: &str,
    gave: Gave,
    tally: &Tally,
) {
    match gave {
        Gave::Up(error) => tally.fail(format!("slot {slot}: {what} failed: {error}")),
        Gave::Late => tally.fail(format!("slot {slot}: {what} took over {ECHO_LIMIT:?}")),
    }
    ws.abort();
}

/// The server side of one connection: echoes every message, with its own random
/// cancellations, until the client closes (clean) or vanishes (an error, counted: the client
/// aborts on purpose now and then).
pub async fn serve_connection<T: Transport, R: Runtime>(
    mut ws: WebSocket<T, R>,
    seed: u64,
    plan: Arc<Plan>,
    tally: Arc<Tally>,
) {
    tally.server_open.fetch_add(1, Ordering::Relaxed);
    let mut rng = Rng::new(seed);
    loop {
        // An idle client is not an error: wait as long as it takes, in bounded steps.
        match recv_retrying(&mut ws, &mut rng, &plan, &tally, Duration::from_secs(3600)).await {
            Ok(Some(message)) => {
                if let Err(gave) = send_retrying(&mut ws, &message, &mut rng, &plan, &tally).await {
                    server_error(&tally, gave);
                    break;
                }
            }
            Ok(None) => break,
            Err(gave) => {
                server_error(&tally, gave);
                break;
            }
        }
    }
    tally.server_open.fetch_sub(1, Ordering::Relaxed);
}

fn server_error(tally: &Tally, gave: Gave) {
    match gave {
        // The peer vanished: expected after a client's abort.
        Gave::Up(Error::Abnormal(_) | Error::Io(_) | Error::Closed) => {
            tally.server_errors.fetch_add(1, Ordering::Relaxed);
        }
        Gave::Up(error) => tally.fail(format!("server: {error}")),
        Gave::Late => tally.fail(String::from("server: a send took over a minute")),
    }
}
