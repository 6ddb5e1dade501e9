//! `wss://` for the blocking layer: [`TlsStream`], a rustls session over a [`TcpStream`], both
//! roles. The configs come from [`crate::tls`] (crypto provider, roots, ALPN `http/1.1`); this
//! file only moves bytes between the session and the socket.

use std::io::{self, IoSlice, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, Connection, ServerConfig, ServerConnection};

use super::stream::Stream;

/// A TLS stream over TCP, client or server side: what [`connect`](super::connect) returns for
/// `wss://` (inside [`MaybeTlsStream`](super::MaybeTlsStream)) and [`tls_accept`] makes of an
/// accepted socket.
///
/// As a [`Stream`]:
///
/// - the read timeout is the socket's. A read that times out in the middle of a TLS record
///   fails with the socket's own error kind (`WouldBlock` or `TimedOut`, as a plain socket
///   would) and loses nothing: rustls keeps the partial record and the next read goes on
///   from there. With a read timeout set, a read that received only part of a record also
///   returns `WouldBlock` (at once), so a peer trickling a record byte by byte cannot hold
///   the layer's deadlines off;
/// - the end of the peer's stream without a TLS `close_notify` is an
///   [`io::ErrorKind::UnexpectedEof`] error (a truncation), after `close_notify` a plain EOF;
/// - [`shutdown_write`](Stream::shutdown_write) sends `close_notify`, flushes it and shuts
///   the socket's write half; [`shutdown_both`](Stream::shutdown_both) (an abort) shuts the
///   socket down both ways without `close_notify`;
/// - [`try_clone`](Stream::try_clone) fails with [`io::ErrorKind::Unsupported`]: the TLS
///   session is one state machine for both directions and cannot be shared by two threads
///   without a lock around every read, so [`WebSocket::split`](super::WebSocket::split) is
///   not available over TLS; use the whole `WebSocket` from one thread.
pub struct TlsStream {
    /// Boxed: a session is kilobytes, the plain variant of `MaybeTlsStream` a file descriptor.
    conn: Box<Connection>,
    sock: TcpStream,
    /// Whether a read timeout is set: only then may a partial record end a read early.
    timed: bool,
}

impl std::fmt::Debug for TlsStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let role = match *self.conn {
            Connection::Client(_) => "client",
            Connection::Server(_) => "server",
        };
        f.debug_struct("TlsStream")
            .field("role", &role)
            .field("sock", &self.sock)
            .finish_non_exhaustive()
    }
}

impl TlsStream {
    /// The socket under the TLS session (for its address or socket options; reading or
    /// writing it directly corrupts the session).
    pub fn get_ref(&self) -> &TcpStream {
        &self.sock
    }

    /// The rustls session: the negotiated protocol version, ALPN, the peer's certificates.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Runs the handshake of `conn` over `sock` to its end; every socket wait is bounded by
    /// `deadline` if given (then a late handshake fails with [`io::ErrorKind::TimedOut`]).
    /// The socket's timeouts are cleared afterwards.
    fn handshake(
        conn: Connection,
        sock: TcpStream,
        deadline: Option<Instant>,
    ) -> io::Result<TlsStream> {
        let mut stream = TlsStream {
            conn: Box::new(conn),
            sock,
            timed: false,
        };
        while stream.conn.is_handshaking() {
            if let Some(deadline) = deadline {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "TLS handshake timed out",
                    ));
                }
                stream.sock.set_read_timeout(Some(left))?;
                stream.sock.set_write_timeout(Some(left))?;
            }
            match stream.conn.complete_io(&mut stream.sock) {
                Ok(_) => {}
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                // The deadline's, or the socket's own timeout (a server's `tls_accept`).
                Err(error) if is_timeout(&error) => {
                    return Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "TLS handshake timed out",
                    ));
                }
                Err(error) => return Err(error),
            }
        }
        if deadline.is_some() {
            stream.sock.set_read_timeout(None)?;
            stream.sock.set_write_timeout(None)?;
        }
        Ok(stream)
    }

    /// Writes every TLS byte the session has queued; the socket's errors (a write timeout)
    /// come back as they are, the bytes staying queued.
    fn send_queued(&mut self) -> io::Result<()> {
        while self.conn.wants_write() {
            match self.conn.write_tls(&mut self.sock) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(_) => {}
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }
}

/// The client side of TLS over `tcp` to `name`, with `config`, bounded by `deadline`.
pub(crate) fn client(
    tcp: TcpStream,
    config: Arc<ClientConfig>,
    name: ServerName<'static>,
    deadline: Instant,
) -> io::Result<TlsStream> {
    let conn = ClientConnection::new(config, name).map_err(io::Error::other)?;
    TlsStream::handshake(conn.into(), tcp, Some(deadline))
}

/// The server side of a TLS handshake on an accepted socket, with `config` (see
/// [`tls::server_config_from_pem`](crate::tls::server_config_from_pem)); pass the result to
/// [`accept`](super::accept) or [`accept_with`](super::accept_with), as a plain socket.
///
/// Bounded only by the socket's own timeouts: against clients that may stall, set a read
/// (and write) timeout on `tcp` first; a handshake that runs into it fails with
/// [`io::ErrorKind::TimedOut`]. The WebSocket replaces the read timeout before every
/// read; a write timeout stays.
#[cfg_attr(docsrs, doc(cfg(feature = "rustls")))]
pub fn tls_accept(tcp: TcpStream, config: Arc<ServerConfig>) -> io::Result<super::MaybeTlsStream> {
    let conn = ServerConnection::new(config).map_err(io::Error::other)?;
    let stream = TlsStream::handshake(conn.into(), tcp, None)?;
    Ok(super::MaybeTlsStream::Tls(stream))
}

impl Read for TlsStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.conn.reader().read(buf) {
                // No plaintext yet, and the stream has not ended: read a record.
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => {}
                // Plaintext, the end after close_notify (`Ok(0)`), or a truncation.
                other => return other,
            }
            // Alerts or handshake answers queued by earlier records go out first.
            self.send_queued()?;
            // A timeout here leaves any partial record inside rustls: nothing is lost.
            let got = self.conn.read_tls(&mut self.sock)?;
            if let Err(error) = self.conn.process_new_packets() {
                // Best effort: the alert that tells the peer why.
                let _ = self.send_queued();
                return Err(io::Error::new(io::ErrorKind::InvalidData, error));
            }
            if got > 0 && self.timed && self.conn.wants_read() {
                // Only part of a record: let the caller look at its deadlines first.
                return Err(io::ErrorKind::WouldBlock.into());
            }
        }
    }
}

impl Write for TlsStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_vectored(&[IoSlice::new(buf)])
    }

    /// Encrypts what the session takes of `bufs`, then writes it out. Records left from an
    /// earlier write go first, and their error (a write timeout) is returned before anything
    /// new is taken; an error after the new bytes were taken is returned by the next write or
    /// [`flush`](Write::flush).
    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.send_queued()?;
        let taken = self.conn.writer().write_vectored(bufs)?;
        let _ = self.send_queued();
        Ok(taken)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send_queued()?;
        self.sock.flush()
    }
}

impl Stream for TlsStream {
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        self.timed = timeout.is_some();
        self.sock.set_read_timeout(timeout)
    }

    /// `close_notify`, written out, then the socket's write half.
    fn shutdown_write(&mut self) -> io::Result<()> {
        self.conn.send_close_notify();
        self.send_queued()?;
        self.sock.shutdown(Shutdown::Write)
    }

    /// The socket, both ways, without `close_notify`: an abort is not a clean end, and a
    /// write to a peer that does not read could block it.
    fn shutdown_both(&mut self) -> io::Result<()> {
        self.sock.shutdown(Shutdown::Both)
    }

    /// Always [`io::ErrorKind::Unsupported`]: one TLS session cannot be driven from two
    /// handles.
    fn try_clone(&self) -> io::Result<Self> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "a TLS stream cannot be split: its session reads and writes as one state \
             machine; use the whole WebSocket from one thread",
        ))
    }
}

fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

#[cfg(all(test, feature = "ring"))]
mod tests {
    use std::net::TcpListener;
    use std::thread;

    use rcgen::{CertificateParams, KeyPair};
    use rustls::RootCertStore;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

    use super::*;

    /// A self-signed certificate for localhost: the server's config and a client's that
    /// trusts it.
    fn configs() -> (Arc<ServerConfig>, Arc<ClientConfig>) {
        let key = KeyPair::generate().unwrap();
        let cert = CertificateParams::new(vec!["localhost".to_owned()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let server = crate::tls::server_config(vec![cert.der().clone()], key).unwrap();
        let mut roots = RootCertStore::empty();
        roots
            .add(CertificateDer::from(cert.der().to_vec()))
            .unwrap();
        (server, crate::tls::client_config_with_roots(roots).unwrap())
    }

    /// A record that arrives in two pieces, further apart than the read timeout: the reads
    /// in between fail with the socket's timeout kind, and the plaintext comes out whole.
    #[test]
    fn a_timeout_inside_a_record_loses_nothing() {
        let (server, client_config) = configs();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let peer = thread::spawn(move || {
            let (mut tcp, _) = listener.accept().unwrap();
            let mut conn = ServerConnection::new(server).unwrap();
            while conn.is_handshaking() {
                conn.complete_io(&mut tcp).unwrap();
            }
            conn.writer().write_all(b"one whole record").unwrap();
            let mut record = Vec::new();
            while conn.wants_write() {
                conn.write_tls(&mut record).unwrap();
            }
            let (head, tail) = record.split_at(record.len() / 2);
            tcp.write_all(head).unwrap();
            thread::sleep(Duration::from_millis(300));
            tcp.write_all(tail).unwrap();
            conn.send_close_notify();
            while conn.wants_write() {
                conn.write_tls(&mut tcp).unwrap();
            }
            tcp.shutdown(Shutdown::Write).unwrap();
            // Hold the socket until the client has read to its end.
            let _ = tcp.read(&mut [0; 64]);
        });
        let tcp = TcpStream::connect(addr).unwrap();
        let name = ServerName::try_from("localhost").unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut stream = client(tcp, client_config, name, deadline).unwrap();
        Stream::set_read_timeout(&mut stream, Some(Duration::from_millis(50))).unwrap();
        let (mut got, mut timeouts) = (Vec::new(), 0);
        let mut buf = [0; 64];
        loop {
            match stream.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(error) if is_timeout(&error) => timeouts += 1,
                Err(error) => panic!("{error}"),
            }
        }
        assert_eq!(
            got, b"one whole record",
            "and a clean end after close_notify"
        );
        assert!(timeouts >= 2, "{timeouts} timeouts");
        assert!(Stream::try_clone(&stream).is_err());
        stream.shutdown_write().unwrap();
        peer.join().unwrap();
    }
}
