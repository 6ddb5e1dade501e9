//! The client side of the memory and density cases: connections that send nothing, answer
//! each of the server's pings with a pong as any client must (a server with keepalive fails
//! a connection whose pongs do not come), and count the pings and the connections that are
//! still open.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use futures_util::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// The client's mask key for pongs; any key will do, and a fixed one costs nothing.
const MASK: [u8; 4] = [0x5a, 0x13, 0xc4, 0x7e];

/// Largest control-frame payload (RFC 6455 §5.5).
const MAX_CONTROL: u64 = 125;

/// Reads the server's frames as they arrive in pieces and turns every complete ping into
/// the masked pong that answers it. Data frames are skipped; a close frame ends the
/// connection. Holds at most one control frame's bytes.
#[derive(Debug, Default)]
pub struct PingAnswerer {
    pending: Vec<u8>,
    skip: u64,
}

impl PingAnswerer {
    /// Feeds bytes from the server; appends a pong per completed ping to `replies` and
    /// returns how many pings were completed.
    ///
    /// # Errors
    /// On a close frame, a control frame over 125 bytes, a masked server frame, or an
    /// unknown opcode.
    pub fn feed(&mut self, data: &[u8], replies: &mut Vec<u8>) -> io::Result<u64> {
        self.pending.extend_from_slice(data);
        let mut pings = 0;
        let mut at = 0;
        loop {
            let rest = &self.pending[at..];
            if self.skip > 0 {
                let take = usize::try_from(self.skip)
                    .unwrap_or(usize::MAX)
                    .min(rest.len());
                self.skip -= take as u64;
                at += take;
                if self.skip > 0 {
                    break;
                }
                continue;
            }
            let Some(head) = crate::wire::frame_head(rest) else {
                break;
            };
            if head.masked {
                return Err(io::Error::other("server frame is masked"));
            }
            let (opcode, header, len) = (head.opcode, head.len, head.payload_len);
            if opcode < 0x8 {
                // A data frame: its payload is not needed, only passed over.
                at += header;
                self.skip = len;
                continue;
            }
            if len > MAX_CONTROL {
                return Err(io::Error::other("control frame over 125 bytes"));
            }
            let end = header + len as usize;
            if rest.len() < end {
                break;
            }
            match opcode {
                0x8 => return Err(io::Error::other("server closed the connection")),
                0x9 => {
                    pong(&rest[header..end], replies);
                    pings += 1;
                }
                0xa => {}
                other => return Err(io::Error::other(format!("unknown opcode {other}"))),
            }
            at += end;
        }
        self.pending.drain(..at);
        Ok(pings)
    }
}

/// Appends the masked pong carrying `payload` (at most 125 bytes) to `out`.
fn pong(payload: &[u8], out: &mut Vec<u8>) {
    out.push(0x8a);
    // The caller checked the length against MAX_CONTROL, so it fits the 7-bit field.
    out.push(0x80 | (payload.len() as u8 & 0x7f));
    out.extend_from_slice(&MASK);
    out.extend(payload.iter().zip(MASK.iter().cycle()).map(|(b, m)| b ^ m));
}

/// What the idle connections of one process counted, shared with their tasks.
#[derive(Debug, Default)]
pub struct IdleCounts {
    /// Pings received (and answered) so far, over all connections.
    pub pings: AtomicU64,
    /// Connections opened and not yet ended.
    pub open: AtomicU64,
    /// Whether a connection's end was already reported: one line says what happened, where
    /// a line per connection would bury it under 100,000.
    reported: AtomicBool,
}

/// Opens a TCP connection to `addr` from `source` (any free port of it), or from the
/// system's choice without one, and runs the client handshake on it. Binding the source
/// address spreads many connections over several loopback addresses, each with its own
/// range of ephemeral ports.
///
/// # Errors
/// When `addr` is not an `ip:port`, or connecting or the handshake fails.
pub async fn connect_from(addr: &str, source: Option<IpAddr>) -> io::Result<TcpStream> {
    let Some(source) = source else {
        return crate::open::connect(addr).await;
    };
    let target: SocketAddr = addr
        .parse()
        .map_err(|_| io::Error::other(format!("{addr} is not an ip:port")))?;
    let socket = match target {
        SocketAddr::V4(_) => TcpSocket::new_v4()?,
        SocketAddr::V6(_) => TcpSocket::new_v6()?,
    };
    socket.bind(SocketAddr::new(source, 0))?;
    let mut stream = socket.connect(target).await?;
    stream.set_nodelay(true)?;
    crate::handshake::client(&mut stream, addr).await?;
    Ok(stream)
}

/// Connection attempts in flight at once while opening: one after another, a loaded machine
/// (each handshake waits for both processes to be scheduled) opened about 100 a second.
const OPENING_AT_ONCE: usize = 16;

/// Opens `conns` connections, 16 at a time, and gives each a task (on the
/// current runtime) that answers pings until the connection ends; returns once all are open.
///
/// # Errors
/// When a connection cannot be opened; those already open keep running.
pub async fn open(
    addr: &str,
    conns: usize,
    source: Option<IpAddr>,
    counts: &Arc<IdleCounts>,
) -> io::Result<()> {
    let mut opening = futures_util::stream::iter(0..conns)
        .map(|_| connect_from(addr, source))
        .buffer_unordered(OPENING_AT_ONCE);
    while let Some(stream) = opening.next().await {
        let stream = stream?;
        counts.open.fetch_add(1, Ordering::Relaxed);
        let counts = Arc::clone(counts);
        tokio::spawn(async move {
            let ended = answer_pings(stream, &counts).await;
            counts.open.fetch_sub(1, Ordering::Relaxed);
            if let Err(error) = ended
                && !counts.reported.swap(true, Ordering::Relaxed)
            {
                eprintln!("idle connection ended: {error} (further ends not reported)");
            }
        });
    }
    Ok(())
}

/// Reads the server's frames and writes a pong for every ping until the connection ends.
async fn answer_pings(mut stream: TcpStream, counts: &IdleCounts) -> io::Result<()> {
    let mut answerer = PingAnswerer::default();
    let mut replies = Vec::new();
    // A ping frame is at most 127 bytes; the buffer lives in the task for its whole life,
    // so it is kept small.
    let mut buf = [0u8; 256];
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Err(io::Error::other("server ended the connection"));
        }
        let pings = answerer.feed(&buf[..n], &mut replies)?;
        if pings > 0 {
            stream.write_all(&replies).await?;
            replies.clear();
            counts.pings.fetch_add(pings, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unmask(frame: &[u8]) -> Vec<u8> {
        let key = &frame[2..6];
        frame[6..]
            .iter()
            .zip(key.iter().cycle())
            .map(|(b, m)| b ^ m)
            .collect()
    }

    #[test]
    fn pings_split_anywhere_get_one_pong_each() {
        // A ping with a payload, a data frame of 300 bytes, a pong, an empty ping.
        let mut wire = vec![0x89, 3, b'a', b'b', b'c', 0x82, 126, 1, 44];
        wire.extend(std::iter::repeat_n(7u8, 300));
        wire.extend_from_slice(&[0x8a, 0, 0x89, 0]);
        for split in [1, 2, 3, 5, 64, wire.len()] {
            let mut answerer = PingAnswerer::default();
            let mut replies = Vec::new();
            let pings: u64 = wire
                .chunks(split)
                .map(|chunk| answerer.feed(chunk, &mut replies).unwrap())
                .sum();
            assert_eq!(pings, 2, "split {split}");
            // Two masked pongs: "abc", then empty.
            assert_eq!(replies.len(), 9 + 6, "split {split}");
            assert_eq!(&replies[..2], &[0x8a, 0x83]);
            assert_eq!(unmask(&replies[..9]), b"abc");
            assert_eq!(&replies[9..11], &[0x8a, 0x80]);
            assert!(answerer.pending.is_empty() && answerer.skip == 0);
        }
    }

    #[test]
    fn close_oversized_control_and_masked_frames_are_errors() {
        let mut replies = Vec::new();
        let close = [0x88, 2, 0x03, 0xe8];
        assert!(PingAnswerer::default().feed(&close, &mut replies).is_err());
        let big_ping = [0x89, 126, 0, 200];
        assert!(
            PingAnswerer::default()
                .feed(&big_ping, &mut replies)
                .is_err()
        );
        let masked = [0x89, 0x80, 1, 2, 3, 4];
        assert!(PingAnswerer::default().feed(&masked, &mut replies).is_err());
        assert!(replies.is_empty());
    }

    #[test]
    fn a_ping_from_a_real_server_is_answered_and_counted() {
        // wsflow with a 50 ms keepalive pings the idle connection; the pong keeps it open.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        std::thread::spawn(move || {
            crate::servers::serve_with(
                crate::servers::ServerKind::WsflowTokio,
                listener,
                Some(std::time::Duration::from_millis(50)),
            )
        });
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let counts = Arc::new(IdleCounts::default());
        runtime.block_on(async {
            let source = Some(IpAddr::from([127, 0, 0, 1]));
            open(&addr, 2, source, &counts).await.unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(400)).await;
        });
        // About 8 pings per connection in 400 ms; a server that got no pong would have
        // closed after the second period.
        assert!(counts.pings.load(Ordering::Relaxed) >= 6, "{counts:?}");
        assert_eq!(counts.open.load(Ordering::Relaxed), 2);
    }
}
