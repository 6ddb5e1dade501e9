//! The core over blocking `std::net`: the whole sans-I/O loop, with no async anywhere.
//!
//! Read bytes → `receive`; drain events; write `pending_output`; half-close when the core
//! says so; sleep in `read` no longer than `poll_timeout`. That is all an I/O layer does.

use std::io::{self, IoSlice, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::Instant;

use wsflow_core::extension::deflate::DeflateConfig;
use wsflow_core::handshake::{Accept, ClientRequest, ServerOptions};
use wsflow_core::{CloseReport, Config, Connection, Event, State};

const READ_CHUNK: usize = 64 << 10;

/// An open WebSocket over a blocking TCP stream.
#[derive(Debug)]
pub struct Session {
    stream: TcpStream,
    connection: Connection,
    buffer: Vec<u8>,
    shut_down: bool,
}

fn other_error(error: impl std::error::Error + Send + Sync + 'static) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, error)
}

impl Session {
    /// Runs the server side of the opening handshake (the core does it all; `options` say
    /// whether permessage-deflate is accepted), accepting any valid request.
    pub fn accept(
        stream: TcpStream,
        options: ServerOptions,
        config: Config,
    ) -> io::Result<Session> {
        let connection = Connection::server(options, config, Instant::now());
        Session::open(stream, connection)
    }

    /// Connects to a `ws://` URL and runs the client side of the opening handshake,
    /// offering permessage-deflate when `deflate` is given.
    pub fn connect(
        url: &str,
        config: Config,
        deflate: Option<DeflateConfig>,
    ) -> io::Result<Session> {
        let mut request = ClientRequest::new(url).map_err(other_error)?;
        if let Some(deflate) = deflate {
            request = request.deflate(deflate);
        }
        request.validate().map_err(other_error)?;
        let stream = TcpStream::connect((request.host(), request.port()))?;
        let connection = Connection::client(request, config, Instant::now());
        Session::open(stream, connection)
    }

    /// Pumps `connection` through its opening handshake.
    fn open(stream: TcpStream, connection: Connection) -> io::Result<Session> {
        stream.set_nodelay(true)?;
        let mut session = Session {
            stream,
            connection,
            buffer: vec![0; READ_CHUNK],
            shut_down: false,
        };
        loop {
            while let Some(event) = session.connection.poll_event() {
                match event {
                    Event::Upgrade(_) => session
                        .connection
                        .accept(Accept::new())
                        .map_err(other_error)?,
                    Event::Opened(_) => {
                        session.write_output()?;
                        return Ok(session);
                    }
                    Event::Closed(report) => {
                        let _ = session.write_output();
                        return Err(io::Error::other(format!(
                            "handshake failed: {:?}",
                            report.cause
                        )));
                    }
                    _ => {}
                }
            }
            session.write_output()?;
            session.read_or_wait()?;
        }
    }

    /// The connection, for commands such as `send` or `close`.
    pub fn connection(&mut self) -> &mut Connection {
        &mut self.connection
    }

    /// Drives the connection until it is closed, handing every event to `on_event`, which may
    /// issue commands. Returns the final report.
    pub fn run(
        mut self,
        mut on_event: impl FnMut(&mut Connection, Event),
    ) -> io::Result<CloseReport> {
        loop {
            let mut closed = None;
            while let Some(event) = self.connection.poll_event() {
                if let Event::Closed(report) = &event {
                    closed = Some(report.clone());
                }
                on_event(&mut self.connection, event);
            }
            // A closed connection's output is written best effort: the peer may be gone.
            let written = self.write_output();
            if let Some(report) = closed {
                return Ok(report);
            }
            written?;
            self.read_or_wait()?;
        }
    }

    fn write_output(&mut self) -> io::Result<()> {
        while self.connection.buffered_amount() > 0 {
            let mut slices = [IoSlice::new(&[]); 64];
            let count = self.connection.output_vectored(&mut slices);
            let n = self
                .stream
                .write_vectored(slices.get(..count).unwrap_or_default())?;
            if n == 0 {
                return Err(io::ErrorKind::WriteZero.into());
            }
            self.connection.consume_output(n);
        }
        if self.connection.wants_shutdown() && !self.shut_down {
            self.shut_down = true;
            // The peer may have closed already; the FIN is moot then.
            let _ = self.stream.shutdown(Shutdown::Write);
        }
        Ok(())
    }

    fn read_or_wait(&mut self) -> io::Result<()> {
        let deadline = self.connection.poll_timeout();
        if let Some(deadline) = deadline {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                self.connection.handle_timeout(Instant::now());
                return Ok(());
            }
            self.stream.set_read_timeout(Some(left))?;
        } else {
            self.stream.set_read_timeout(None)?;
        }
        if !self.connection.wants_read() || self.connection.state() == State::Closed {
            // Events are waiting to be drained; the caller's loop does that next.
            return Ok(());
        }
        match self.stream.read(&mut self.buffer) {
            Ok(0) => self.connection.receive_eof(Instant::now()),
            Ok(n) => {
                let data = self.buffer.get(..n).unwrap_or_default();
                self.connection.receive(Instant::now(), data);
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                self.connection.handle_timeout(Instant::now());
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if self.connection.state() != State::Open => {
                // A reset while closing ends the connection like an EOF would.
                let _ = e;
                self.connection.receive_eof(Instant::now());
            }
            Err(e) => return Err(e),
        }
        Ok(())
    }
}

/// Echoes every data message back, the behaviour of the echo server and the Autobahn client.
pub fn echo(connection: &mut Connection, event: Event) {
    if let Event::Message(message) = event {
        // Refused only once closing has begun; nothing to echo then.
        let _ = connection.send(message);
    }
}
