//! Server mode: the endpoint under test is a WebSocket echo server at an address; each run
//! connects to it, opens the connection as a client (RFC 6455 §1.3's request) and plays the
//! script's peer as the client.

use std::cell::RefCell;
use std::net::{SocketAddr, TcpStream};

use wsflow_core::Role;

use super::BlackboxRunner;
use super::http::client_handshake;
use super::output::Output;
use super::session::{TcpSession, Timing, Unopened};
use crate::runner::{Runner, Session, Setup};

/// Runs scripts against the echo server at an address.
#[derive(Debug)]
pub struct ServerRunner {
    addr: SocketAddr,
    path: String,
    timing: Timing,
    error: RefCell<Option<String>>,
}

impl ServerRunner {
    /// A runner for the echo server at `addr`, opened at `path` (e.g. `/`).
    pub fn new(addr: SocketAddr, path: &str, timing: Timing) -> Self {
        ServerRunner {
            addr,
            path: path.to_owned(),
            timing,
            error: RefCell::new(None),
        }
    }

    fn connect(&self, setup: &Setup) -> Result<TcpSession, String> {
        let mut stream = TcpStream::connect_timeout(&self.addr, self.timing.timeout)
            .map_err(|e| format!("connecting to {}: {e}", self.addr))?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        let output = Output::new(Role::Server, setup.our_mask);
        // A handshake script plays the opening handshake itself.
        let (rest, output) = if setup.handshake.is_some() {
            (Vec::new(), output.after_http())
        } else {
            let rest = client_handshake(
                &mut stream,
                &self.addr.to_string(),
                &self.path,
                self.timing.timeout,
            )?;
            (rest, output)
        };
        TcpSession::new(stream, rest, output, self.timing).map_err(|e| e.to_string())
    }
}

impl Runner for ServerRunner {
    fn name(&self) -> &'static str {
        "black-box server"
    }

    fn open(&self, setup: &Setup) -> Box<dyn Session> {
        match self.connect(setup) {
            Ok(session) => Box::new(session),
            Err(error) => {
                *self.error.borrow_mut() = Some(error);
                Box::new(Unopened)
            }
        }
    }
}

impl BlackboxRunner for ServerRunner {
    fn role(&self) -> Role {
        Role::Server
    }

    fn as_runner(&self) -> &dyn Runner {
        self
    }

    fn take_error(&self) -> Option<String> {
        self.error.borrow_mut().take()
    }
}
