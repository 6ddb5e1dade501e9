//! The HTTP/2 runner (RFC 8441): the endpoint under test is a `wsflow::WebSocket` over
//! `wsflow::h2`'s stream transport ([`wsflow::h2::H2Stream`]), opened by extended CONNECT
//! through the public API a user calls — [`wsflow::h2::ServerConnection`] and
//! `IncomingRequest::accept` for a server, [`wsflow::h2::handshake`] and
//! `Client::websocket_masked` (the documented-hidden `Client::websocket` with a fixed mask
//! source, so the client's frames can be compared byte for byte) for a client.
//!
//! The scripted peer is the `h2` crate on the other end of an in-memory
//! `tokio::io::duplex`, both sides driven on one current-thread tokio runtime with a paused
//! clock; nothing is spawned. The session's methods map onto HTTP/2 as follows:
//!
//! - `peer sends` is one DATA frame carrying exactly the piece (`h2` cuts a piece larger than
//!   the frame size or the window, never merges two), `peer eof` an empty DATA frame with
//!   `END_STREAM`;
//! - what the endpoint "sent" is the concatenated payload of the DATA frames the peer
//!   received, and its shutdown is the `END_STREAM` it sent (a `RST_STREAM` is not one);
//! - `peer stops reading` makes the peer stop taking DATA and set its
//!   `SETTINGS_INITIAL_WINDOW_SIZE` to 0, so the endpoint's stream window closes at once as
//!   a full socket would (merely not releasing capacity would leave it up to 64 KiB to
//!   send); `peer resumes reading` restores the 65,535-byte window and takes the DATA.
//!
//! Scripts without a handshake start on a stream already opened (an extended CONNECT
//! answered 200, checked and discarded). Handshake scripts with `handshake: h2`
//! (`scripts/8441-extended-connect/`) play the extended CONNECT itself, written as HTTP text:
//! the peer's `peer sends http` head (`CONNECT /chat HTTP/2`, then `:authority`, `:scheme`,
//! `:protocol` and the header fields, one per line) becomes the HEADERS frame, and the
//! endpoint's HEADERS come back as text the same way (`HTTP/2 200` and the fields), so the
//! executor's `expect sent http` / `expect http status` judge them. The HTTP/1.1 upgrade
//! scripts (`handshake: on`) do not apply ([`Capability::Http1Handshake`]).
//!
//! - `peer`: the scripted `h2` peer and the text form of its heads;
//! - `session`: the [`Session`], the endpoint's side and the settling loop;
//! - `tap`: the endpoint's end of the pipe, which can break its HTTP/2 on purpose.

mod peer;
mod session;
mod tap;

use super::{Capability, Runner, Session, Setup};

pub use tap::H2Defect;

/// `wsflow::h2` on tokio: a WebSocket on one stream of an HTTP/2 connection, on a
/// current-thread runtime with a paused clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct H2TokioRunner {
    defect: Option<H2Defect>,
}

impl H2TokioRunner {
    /// The runner as the suite runs it.
    pub const fn new() -> Self {
        H2TokioRunner { defect: None }
    }

    /// The runner with a broken transport under the endpoint, which the scripts must catch
    /// (`tests/mutants.rs`).
    pub const fn with_defect(defect: H2Defect) -> Self {
        H2TokioRunner {
            defect: Some(defect),
        }
    }
}

impl Runner for H2TokioRunner {
    fn name(&self) -> &'static str {
        "h2-tokio"
    }

    fn open(&self, setup: &Setup) -> Box<dyn Session> {
        Box::new(session::H2Session::open(setup, self.defect))
    }

    fn supports(&self, capability: Capability) -> bool {
        match capability {
            // The driver's API, as on the other async runners (a second `close` completes
            // instead of being refused), and a stream opened by extended CONNECT, never by
            // an HTTP/1.1 upgrade.
            Capability::CloseRefusedWhenClosing | Capability::Http1Handshake => false,
            Capability::NonBlockingWrites
            | Capability::CloseKeepsReading
            | Capability::ExtendedConnect => true,
        }
    }
}
