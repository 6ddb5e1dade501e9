//! Generated streams, on top of the hand-written scripts: a pseudo-random mix of valid and
//! invalid frames is fed under every chunking, and every runner must produce the same bytes,
//! events and shutdown as the bare core with whole reads. This finds chunking bugs in states no script
//! thought of (a UTF-8 character, a header or a masking key cut at an odd place). Streaming
//! receive mode reports chunks read by read, so it is left to the scripts, which pin it.

use wsflow_conformance::chunking::{Chunking, XorShift};
use wsflow_conformance::exec::describe_event;
use wsflow_conformance::runner::adapter_runner::{AsyncStdRunner, SmolRunner, TokioRunner};
use wsflow_conformance::runner::core_runner::CoreRunner;
use wsflow_conformance::runner::h2_runner::H2TokioRunner;
use wsflow_conformance::runner::{Runner, Setup};
use wsflow_conformance::script::{FrameSpec, LengthForm, MaskChoice};
use wsflow_conformance::wire;
use wsflow_core::{Config, Role};

/// Text that is valid UTF-8 with characters of every length, cut into fragments anywhere.
const TEXT: &str = "plain ascii, κόσμε, €uro and 😀 emoji";

fn frame(opcode: u8, fin: bool, payload: Vec<u8>) -> FrameSpec {
    FrameSpec {
        fin,
        rsv: 0,
        opcode,
        mask: MaskChoice::Auto,
        length: LengthForm::Minimal,
        payload,
    }
}

/// A stream of frames as the peer of `role` would send them.
fn stream(rng: &mut XorShift, role: Role) -> Vec<u8> {
    let key = (role == Role::Server).then_some([0x37, 0xfa, 0x21, 0x3d]);
    let mut out = Vec::new();
    let frames = 1 + rng.next() % 16;
    for _ in 0..frames {
        let spec = match rng.next() % 20 {
            0..=7 => {
                // A text message in 1-3 fragments cut at random bytes (so characters are split
                // across frames); one in eight gets an invalid byte.
                let mut len = (rng.next() % (TEXT.len() as u64 + 1)) as usize;
                while !TEXT.is_char_boundary(len) {
                    len -= 1;
                }
                let mut text = TEXT.as_bytes()[..len].to_vec();
                if rng.next() % 8 == 0 {
                    let at = (rng.next() % (text.len() as u64 + 1)) as usize;
                    text.insert(at, 0xff);
                }
                let parts = 1 + rng.next() % 3;
                let mut cuts: Vec<usize> = (1..parts)
                    .map(|_| (rng.next() % (text.len() as u64 + 1)) as usize)
                    .collect();
                cuts.sort_unstable();
                cuts.push(text.len());
                let mut start = 0;
                for (i, cut) in cuts.iter().enumerate() {
                    let opcode = u8::from(i == 0);
                    let payload = text[start..*cut].to_vec();
                    start = *cut;
                    out.extend(wire::encode(
                        &frame(opcode, i + 1 == cuts.len(), payload),
                        key,
                    ));
                }
                continue;
            }
            8..=11 => frame(2, true, vec![rng.next() as u8; (rng.next() % 300) as usize]),
            12 | 13 => frame(9, true, vec![b'p'; (rng.next() % 10) as usize]),
            14 | 15 => frame(0xA, true, b"pong".to_vec()),
            16 => {
                let codes = [1000u16, 1001, 1005, 1006, 3000, 999];
                let code = codes[(rng.next() % codes.len() as u64) as usize];
                frame(8, true, code.to_be_bytes().to_vec())
            }
            17 => {
                let mut spec = frame(2, true, b"rsv".to_vec());
                spec.rsv = (rng.next() % 8) as u8;
                spec
            }
            18 => frame(0, true, b"orphan continuation".to_vec()),
            _ => {
                // A fragmented binary message with a ping in the middle.
                out.extend(wire::encode(&frame(2, false, vec![1; 3]), key));
                out.extend(wire::encode(&frame(9, true, b"mid".to_vec()), key));
                frame(0, true, vec![2; 130])
            }
        };
        out.extend(wire::encode(&spec, key));
    }
    out
}

/// Everything observable, in order, when `bytes` arrive cut by `chunking`, then EOF.
fn trace(
    runner: &dyn Runner,
    setup: &Setup,
    bytes: &[u8],
    chunking: Chunking,
    salt: u64,
) -> (Vec<u8>, Vec<String>, bool) {
    let mut session = runner.open(setup);
    let mut sent = Vec::new();
    let mut events = Vec::new();
    let mut pieces = chunking.pieces(bytes, &[], salt);
    if chunking == Chunking::Trailing {
        // One byte of another frame header after the stream must change nothing.
        if let Some(last) = pieces.last_mut() {
            last.push(0x82);
        }
    }
    for piece in pieces {
        session.peer_send(&piece);
        let observation = session.observe();
        sent.extend(observation.sent);
        events.extend(observation.events.iter().map(describe_event));
    }
    session.peer_eof();
    let observation = session.observe();
    sent.extend(observation.sent);
    events.extend(observation.events.iter().map(describe_event));
    (sent, events, observation.shutdown)
}

#[test]
fn generated_streams_give_the_same_results_under_every_chunking() {
    let runners: Vec<Box<dyn Runner>> = vec![
        Box::new(CoreRunner),
        Box::new(TokioRunner),
        Box::new(SmolRunner),
        Box::new(AsyncStdRunner),
        Box::new(H2TokioRunner::new()),
    ];
    let mut rng = XorShift::new(0x5eed);
    let mut runs = 0;
    for case in 0..400u64 {
        let role = if case % 2 == 0 {
            Role::Server
        } else {
            Role::Client
        };
        let mut config = Config::default();
        if case % 5 == 0 {
            config.max_message_size = 200;
        }
        let setup = Setup {
            role,
            config,
            our_mask: [0x0b, 0xad, 0xf0, 0x0d],
            handshake: None,
        };
        let bytes = stream(&mut rng, role);
        // The reference is the bare core with whole reads; every runner must match it.
        let reference = trace(&CoreRunner, &setup, &bytes, Chunking::Whole, case);
        // The adapters' runners cost more per run: a third of the cases is enough for them.
        for runner in runners.iter().take(if case % 3 == 0 { 5 } else { 1 }) {
            for chunking in Chunking::ALL {
                runs += 1;
                let got = trace(runner.as_ref(), &setup, &bytes, chunking, case);
                assert_eq!(
                    got,
                    reference,
                    "case {case} ({role:?}) on {} differs under {chunking}; stream: {}",
                    runner.name(),
                    wire::describe(&bytes)
                );
            }
        }
    }
    assert_eq!(runs, (400 + 4 * 134) * Chunking::ALL.len());
}
