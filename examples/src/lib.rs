//! Demos and Autobahn testees for wsflow.
//!
//! The binaries are interfaces that outside tools drive, so their names and flags are fixed:
//!
//! - `echo-server --runtime {blocking,tokio,smol,async-std} --addr 127.0.0.1:PORT [--deflate]
//!   [--max-message-size BYTES] [--http2]`: `--http2` serves WebSockets over HTTP/2 and
//!   HTTP/1.1 on the same port (see [`http2`])
//! - `autobahn-client --runtime ... --url ws://127.0.0.1:PORT --agent NAME [--deflate]
//!   [--http2]`: `--http2` runs every case as a stream of one HTTP/2 connection
//! - `chat-server --runtime {tokio,smol,async-std} --addr 127.0.0.1:PORT`: relays every text
//!   message to every other client (see [`chat`])
//! - `chat-client --runtime ... --url ws://127.0.0.1:PORT`: sends stdin's lines, prints what
//!   the others say
//! - `structured [--clients N]`: a server and clients in one cancellable scope (see
//!   [`structured`])
//! - `demo`: an echo server and a client on every I/O layer
//! - `axum-echo --addr 127.0.0.1:PORT`: an axum server; `GET /ws` upgrades to an echo
//!   WebSocket (subprotocol `echo` if offered, permessage-deflate if offered), `GET /`
//!   answers a plain page
//!
//! Each binary rejects an unknown flag, or a flag missing its value, with a usage message
//! on stderr and exit code 2 (see [`cli`]).

pub mod asynchronous;
pub mod autobahn;
pub mod chat;
pub mod cli;
pub mod echo;
pub mod http2;
pub mod structured;

use wsflow_core::Config;
use wsflow_core::extension::deflate::DeflateConfig;

/// The configuration the testees run with: the defaults (64 MiB messages, 16 MiB frames,
/// enough for Autobahn's 16 MiB cases), or a given message limit.
pub fn testee_config(max_message_size: Option<u64>) -> Config {
    let mut config = Config::default();
    if let Some(max) = max_message_size {
        config.max_message_size = max;
        config.max_frame_size = config.max_frame_size.max(max);
    }
    config
}

/// permessage-deflate for the Autobahn testees when `--deflate` was given: the library's
/// defaults, except that
/// - every message is compressed (`threshold = 0`): kosoku's sections 12-13 fail with a
///   Python error when an echo of a small text message comes back uncompressed, which
///   RFC 7692 allows and the library does below its default 64-byte threshold;
/// - the client offers `client_no_context_takeover`, the hint kosoku's fuzzing server
///   requires before it accepts the offers of cases 13.2, 13.5-13.7.
pub fn testee_deflate(enabled: bool) -> Option<DeflateConfig> {
    enabled.then(|| {
        let mut config = DeflateConfig::default();
        config.threshold = 0;
        config.client_no_context_takeover = true;
        config
    })
}
