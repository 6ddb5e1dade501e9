//! Client mode: the endpoint under test is a WebSocket client speaking the Autobahn
//! TestSuite's testee protocol, so any existing Autobahn client testee runs unchanged. We
//! listen; it asks `/getCaseCount` (we answer with the number of runs), opens
//! `/runCase?case=N&agent=A` for each (we accept, then play the script's peer as the
//! server, the client echoing), and finally opens `/updateReports?agent=A`.

use std::cell::{Cell, RefCell};
use std::io::Read as _;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use wsflow_core::Role;

use super::BlackboxRunner;
use super::http::{Head, accept, read_head, target};
use super::output::Output;
use super::session::{TcpSession, Timing, Unopened};
use crate::runner::{Runner, Session, Setup};
use crate::script::{FrameSpec, LengthForm, MaskChoice};
use crate::wire;

/// How long the client may take to open its next connection (it may be starting up, or
/// finishing the previous case).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// Runs scripts against an Autobahn client testee connecting to a listener.
#[derive(Debug)]
pub struct ClientRunner {
    listener: TcpListener,
    cases: usize,
    /// The next case number; 0 until `/getCaseCount` was answered.
    next: Cell<usize>,
    timing: Timing,
    error: RefCell<Option<String>>,
}

impl ClientRunner {
    /// A runner serving `cases` cases on `listener`.
    pub fn new(listener: TcpListener, cases: usize, timing: Timing) -> Self {
        ClientRunner {
            listener,
            cases,
            next: Cell::new(0),
            timing,
            error: RefCell::new(None),
        }
    }

    /// Accepts the client's next connection and reads its upgrade request.
    fn accept_request(&self) -> Result<(TcpStream, Head), String> {
        self.listener
            .set_nonblocking(true)
            .map_err(|e| e.to_string())?;
        let deadline = Instant::now() + CONNECT_TIMEOUT;
        let mut stream = loop {
            match self.listener.accept() {
                Ok((stream, _)) => break stream,
                Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => {
                    if Instant::now() > deadline {
                        return Err("the client did not connect".into());
                    }
                    std::thread::sleep(Duration::from_millis(2));
                }
                Err(error) => return Err(format!("accept: {error}")),
            }
        };
        stream.set_nonblocking(false).map_err(|e| e.to_string())?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        let head = read_head(&mut stream, self.timing.timeout)?;
        Ok((stream, head))
    }

    /// Serves a connection of the testee protocol that is not a case: accepts it, sends
    /// `message` if any, closes with 1000 and waits for the client's close.
    fn serve_control(&self, path: &str, message: Option<String>) -> Result<(), String> {
        let (mut stream, head) = self.accept_request()?;
        if !target(&head).starts_with(path) {
            return Err(format!(
                "expected a request for {path}, got `{}`",
                head.start
            ));
        }
        accept(&mut stream, &head)?;
        let frame = |opcode, payload: Vec<u8>| {
            wire::encode(
                &FrameSpec {
                    fin: true,
                    rsv: 0,
                    opcode,
                    mask: MaskChoice::Off,
                    length: LengthForm::Minimal,
                    payload,
                },
                None,
            )
        };
        let mut out = Vec::new();
        if let Some(message) = message {
            out.extend(frame(1, message.into_bytes()));
        }
        out.extend(frame(8, 1000_u16.to_be_bytes().to_vec()));
        std::io::Write::write_all(&mut stream, &out).map_err(|e| e.to_string())?;
        // The client answers the close; then we, the server, close TCP first (RFC 6455 §7.1.1).
        stream
            .set_read_timeout(Some(self.timing.timeout))
            .map_err(|e| e.to_string())?;
        let mut received = head.rest;
        let mut buf = [0; 1024];
        while !has_close(&received) {
            match stream.read(&mut buf) {
                Ok(n) if n > 0 => received.extend_from_slice(buf.get(..n).unwrap_or_default()),
                _ => break,
            }
        }
        let _ = stream.shutdown(Shutdown::Both);
        Ok(())
    }

    fn open_case(&self, setup: &Setup) -> Result<TcpSession, String> {
        if self.next.get() == 0 {
            self.serve_control("/getCaseCount", Some(self.cases.to_string()))
                .map_err(|e| format!("/getCaseCount: {e}"))?;
            self.next.set(1);
        }
        let case = self.next.get();
        self.next.set(case + 1);
        let (mut stream, head) = self.accept_request()?;
        let wanted = format!("case={case}");
        let path = target(&head);
        if !(path.starts_with("/runCase?") && path.split(['?', '&']).any(|p| p == wanted)) {
            return Err(format!(
                "expected a request for case {case}, got `{}`",
                head.start
            ));
        }
        accept(&mut stream, &head)?;
        let output = Output::new(Role::Client, setup.our_mask);
        TcpSession::new(stream, head.rest, output, self.timing).map_err(|e| e.to_string())
    }

    /// Answers the client's `/updateReports` request once every case ran.
    pub fn finish(&self) -> Result<(), String> {
        self.serve_control("/updateReports", None)
            .map_err(|e| format!("/updateReports: {e}"))
    }
}

/// Whether `bytes` (what the client sent) hold a close frame.
fn has_close(bytes: &[u8]) -> bool {
    let mut rest = bytes;
    while let Some(frame) = wire::decode(rest) {
        if frame.opcode == 8 {
            return true;
        }
        rest = rest.get(frame.wire_len..).unwrap_or_default();
    }
    false
}

impl Runner for ClientRunner {
    fn name(&self) -> &'static str {
        "black-box client"
    }

    fn open(&self, setup: &Setup) -> Box<dyn Session> {
        match self.open_case(setup) {
            Ok(session) => Box::new(session),
            Err(error) => {
                *self.error.borrow_mut() = Some(error);
                Box::new(Unopened)
            }
        }
    }
}

impl BlackboxRunner for ClientRunner {
    fn role(&self) -> Role {
        Role::Client
    }

    fn as_runner(&self) -> &dyn Runner {
        self
    }

    fn take_error(&self) -> Option<String> {
        self.error.borrow_mut().take()
    }
}
