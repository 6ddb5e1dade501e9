//! The blocking layer's reads of a large payload go straight into the core's buffer (the
//! same one-copy receive as the async driver's), checked by where each read wrote.

use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

use wsflow_core::{Config, Connection, Message, Role};

use super::{Stream, WebSocket};

/// A stream that hands out scripted input, 64 KiB per read at most (as a socket's
/// receive buffer does), and records where each read wrote.
#[derive(Default)]
struct Scripted {
    input: Vec<u8>,
    position: usize,
    /// (address, length) of every read that returned bytes.
    reads: Vec<(usize, usize)>,
}

impl Read for Scripted {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let rest = self.input.get(self.position..).unwrap_or_default();
        let n = buf.len().min(rest.len()).min(64 << 10);
        buf[..n].copy_from_slice(&rest[..n]);
        self.position += n;
        if n > 0 {
            self.reads.push((buf.as_ptr() as usize, n));
        }
        Ok(n)
    }
}

impl Write for Scripted {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Stream for Scripted {
    fn set_read_timeout(&mut self, _: Option<Duration>) -> io::Result<()> {
        Ok(())
    }

    fn shutdown_write(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_large_payload_is_read_straight_into_the_message() {
    let large = Message::from(vec![7u8; 1 << 20]);
    let mut client = Connection::new(Role::Client, Config::default(), Instant::now());
    client.send(large.clone()).expect("queue");
    let mut input = Vec::new();
    while !client.pending_output().is_empty() {
        let chunk = client.pending_output().to_vec();
        client.consume_output(chunk.len());
        input.extend(chunk);
    }
    let stream = Scripted {
        input,
        ..Scripted::default()
    };
    let conn = Connection::new(Role::Server, Config::default(), Instant::now());
    let mut ws = WebSocket::from_connection(stream, conn);
    let received = ws.recv().expect("recv").expect("a message");
    assert_eq!(received, large);
    let payload = received.as_bytes().as_ptr_range();
    let payload = payload.start as usize..payload.end as usize;
    let (stream, ..) = ws.into_parts();
    // The read that brought the header went through the WebSocket's own buffer, and so
    // may a last piece under 4 KiB; every other read landed in the message.
    let copied: Vec<_> = stream
        .reads
        .iter()
        .filter(|(at, len)| !(payload.contains(at) && payload.contains(&(at + len - 1))))
        .collect();
    assert!(copied.len() <= 2, "reads not into the payload: {copied:?}");
    assert!(
        copied.iter().map(|(_, len)| len).sum::<usize>() <= (64 << 10) + (4 << 10),
        "{copied:?}"
    );
    assert!(stream.reads.len() >= 16, "{} reads", stream.reads.len());
}
