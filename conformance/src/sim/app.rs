//! The application's script, drawn from the seed, and what each side recorded while playing
//! it (the checker compares the two).

use std::io;
use std::time::Duration;

use bytes::Bytes;
use bytes::BytesMut;
use wsflow::Error;
use wsflow_core::{CloseCause, CloseReport, Config, Event, MessageKind, ReceiveMode};

use super::Rng;
use super::network::Fault;

/// One message a side sends: whole, or in fragments cut at `cuts` (byte offsets, which may
/// split a UTF-8 character).
#[derive(Debug, Clone)]
pub struct Msg {
    /// Text or binary.
    pub kind: MessageKind,
    /// The whole message.
    pub payload: Bytes,
    /// Empty for a whole message; otherwise increasing offsets inside the payload.
    pub cuts: Vec<usize>,
}

impl Msg {
    /// The fragments to send, in order (one for a whole message).
    pub fn pieces(&self) -> Vec<Bytes> {
        let mut pieces = Vec::new();
        let mut start = 0;
        for &cut in &self.cuts {
            pieces.push(self.payload.slice(start..cut));
            start = cut;
        }
        pieces.push(self.payload.slice(start..));
        pieces
    }
}

/// What one side's application does.
#[derive(Debug, Clone)]
pub struct SideScript {
    /// What it sends, in order.
    pub messages: Vec<Msg>,
    /// It closes (after sending everything); both sides may.
    pub closer: bool,
    /// A closer first receives every message of the peer's script.
    pub wait_for_peer: bool,
    /// The async driver: split into halves, one task each.
    pub split: bool,
    /// Per mille: an await point at which a future is dropped (and the call retried).
    pub cancel: u64,
    /// Its connection's configuration.
    pub config: Config,
    /// Seed of this side's own decisions (cancellation, mask keys, how much it drains).
    pub seed: u64,
}

/// One connection: both sides' scripts, the network's seed and its fault.
#[derive(Debug, Clone)]
pub struct Script {
    /// The client's and the server's scripts.
    pub sides: [SideScript; 2],
    /// Seed of the network's and the scheduler's decisions.
    pub net_seed: u64,
    /// What the network does to the connection.
    pub fault: Fault,
    /// Per mille per scheduler step: the clock jumps a few milliseconds.
    pub jitter: u64,
}

const CHARS: [&str; 6] = ["a", "é", "€", "𝄞", "z", " "];

fn payload(rng: &mut Rng, kind: MessageKind) -> Bytes {
    let len = match rng.below(10) {
        0..=5 => rng.below(64),
        6..=8 => 64 + rng.below(2000),
        _ => 2000 + rng.below(40_000),
    } as usize;
    match kind {
        MessageKind::Binary => (0..len)
            .map(|_| rng.next_u64() as u8)
            .collect::<Vec<u8>>()
            .into(),
        MessageKind::Text => {
            let mut text = String::with_capacity(len + 4);
            while text.len() < len {
                text.push_str(CHARS[rng.below(CHARS.len() as u64) as usize]);
            }
            Bytes::from(text)
        }
    }
}

fn message(rng: &mut Rng) -> Msg {
    let kind = if rng.chance(500) {
        MessageKind::Text
    } else {
        MessageKind::Binary
    };
    let payload = payload(rng, kind);
    let mut cuts = Vec::new();
    if rng.chance(300) && !payload.is_empty() {
        let n = 1 + rng.below(4);
        cuts = (0..n)
            .map(|_| rng.below(payload.len() as u64 + 1) as usize)
            .collect();
        cuts.sort_unstable();
    }
    Msg {
        kind,
        payload,
        cuts,
    }
}

fn config(rng: &mut Rng) -> Config {
    let mut config = Config::new()
        .max_pending_events(1 + rng.below(64) as usize)
        .write_buffer_high_water([256, 4096, 65_536][rng.below(3) as usize])
        .close_timeout(Duration::from_secs(60));
    if rng.chance(300) {
        config = config.receive_mode(ReceiveMode::Streaming);
    }
    if rng.chance(400) {
        let interval = Duration::from_millis(10 + rng.below(500));
        // The pong timeout is long: virtual time jumps whenever nothing can run, and a
        // single-threaded blocking peer reads only between its writes, so a short one would
        // fire in a healthy run. The pings and pongs are what is under test here.
        config = config.keepalive(interval, Duration::from_secs(300));
    }
    config
}

impl Script {
    /// A script drawn from `rng`.
    pub fn generate(rng: &mut Rng) -> Script {
        let closers = match rng.below(3) {
            0 => [true, false],
            1 => [false, true],
            _ => [true, true],
        };
        let sides = closers.map(|closer| SideScript {
            messages: (0..rng.below(12)).map(|_| message(rng)).collect(),
            closer,
            wait_for_peer: rng.chance(500),
            split: rng.chance(400),
            cancel: [0, 100, 400][rng.below(3) as usize],
            config: config(rng),
            seed: rng.next_u64(),
        });
        let fault = match rng.below(10) {
            0 | 1 => Fault::Reset {
                at_byte: rng.below(20_000),
            },
            2 => Fault::Cut {
                at_byte: rng.below(20_000),
            },
            _ => Fault::None,
        };
        Script {
            sides,
            net_seed: rng.next_u64(),
            fault,
            jitter: [0, 20, 200][rng.below(3) as usize],
        }
    }
}

/// How a side learned that the connection ended, or a failure it was told about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Report {
    /// A clean close (`Ok(None)` after a clean handshake, or `close` returning it).
    Clean,
    /// A transport error (`Error::Io`, or the core's driver seeing one).
    Io(io::ErrorKind),
    /// An unclean end, with the report's cause.
    Unclean(CloseCause),
    /// Anything else (an unexpected error), described.
    Other(String),
}

/// What one side recorded.
#[derive(Debug, Default, Clone)]
pub struct Outcome {
    /// Messages whose send (last fragment) returned `Ok`.
    pub sent: Vec<(MessageKind, Bytes)>,
    /// Messages received whole (streamed chunks reassembled).
    pub received: Vec<(MessageKind, Bytes)>,
    /// End reports and errors, in order.
    pub reports: Vec<Report>,
    /// What `close` returned, if it was called and completed.
    pub close_report: Option<Report>,
    /// The receive side reached its end (`Ok(None)` / `Event::Closed`).
    pub ended: bool,
    /// Something was returned after the end (it must stay `Ok(None)`).
    pub after_end: Vec<String>,
    /// The largest write buffer seen.
    pub max_buffered: usize,
    /// The largest message this side sent.
    pub largest_message: usize,
}

/// The report of an error a call returned.
pub fn report(error: &Error) -> Report {
    match error {
        Error::Io(error) => Report::Io(error.kind()),
        Error::Abnormal(report) => Report::Unclean(report.cause.clone()),
        Error::Protocol(error) => Report::Unclean(CloseCause::ProtocolError(error.clone())),
        other => Report::Other(other.to_string()),
    }
}

/// What a final close report says.
pub fn close_report(report: &CloseReport) -> Report {
    match &report.cause {
        CloseCause::Clean { .. } => Report::Clean,
        cause => Report::Unclean(cause.clone()),
    }
}

/// Records one result of a receive call (`recv` results come as `Event::Message`):
/// reassembles streamed messages and records the end. `report` gives the connection's final
/// report once it is over.
pub fn record_receive(
    out: &mut Outcome,
    partial: &mut Option<(MessageKind, BytesMut)>,
    result: Result<Option<Event>, Report>,
    report: impl FnOnce() -> Option<CloseReport>,
) {
    let reported = |out: &Outcome| {
        out.reports
            .iter()
            .any(|r| matches!(r, Report::Unclean(_) | Report::Io(_)))
    };
    match result {
        Ok(Some(Event::Message(message))) => {
            out.received.push((message.kind(), message.into_bytes()));
        }
        Ok(Some(Event::MessageChunk { chunk, fin })) => {
            let (_, bytes) = partial.get_or_insert_with(|| (chunk.kind(), BytesMut::new()));
            bytes.extend_from_slice(chunk.as_bytes());
            if fin {
                if let Some((kind, bytes)) = partial.take() {
                    out.received.push((kind, bytes.freeze()));
                }
            }
        }
        // `recv_event` reports the end as an event (then `Ok(None)`); `recv` as `Ok(None)`
        // after a clean close, or after the error that reported an unclean end.
        Ok(Some(Event::Closed(closed))) => {
            let end = close_report(&closed);
            if end == Report::Clean || !reported(out) {
                out.reports.push(end);
            }
            out.ended = true;
        }
        Ok(None) => {
            if !out.ended {
                match report().as_ref().map(close_report) {
                    Some(Report::Clean) => out.reports.push(Report::Clean),
                    Some(_) if reported(out) => {}
                    other => out.reports.push(Report::Other(format!(
                        "Ok(None) without a clean close or an error before it (report {other:?})"
                    ))),
                }
            }
            out.ended = true;
        }
        Ok(Some(_)) => {}
        Err(error) => {
            if out.ended {
                out.after_end
                    .push(format!("error after the end: {error:?}"));
            } else {
                out.reports.push(error);
            }
        }
    }
}
