//! What the blocking layer needs from a byte stream and from a clock.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

/// A blocking, connected byte stream: `Read + Write`, a read timeout, and a half-close.
///
/// Implemented for [`TcpStream`] and [`UnixStream`]; a TLS stream or an in-memory pipe
/// implements it in a few lines.
pub trait Stream: Read + Write {
    /// Bounds the next reads: a read that waits longer fails with
    /// [`io::ErrorKind::WouldBlock`] or [`io::ErrorKind::TimedOut`]; `None` waits forever.
    /// The blocking layer calls it before every read with the time left until the
    /// connection's next deadline, so a zero duration is never passed.
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()>;

    /// Shuts the write half down (a TCP FIN): the peer reads EOF after what was written.
    fn shutdown_write(&mut self) -> io::Result<()>;

    /// Shuts both halves down, for an abort: a read blocked on another handle of the same
    /// stream returns. The default only shuts the write half down.
    fn shutdown_both(&mut self) -> io::Result<()> {
        self.shutdown_write()
    }

    /// Another handle to the same stream, for a reader and a writer on two threads (see
    /// [`WebSocket::split`](super::WebSocket::split)). The default says the stream cannot.
    fn try_clone(&self) -> io::Result<Self>
    where
        Self: Sized,
    {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "this stream cannot be cloned",
        ))
    }
}

impl Stream for TcpStream {
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        TcpStream::set_read_timeout(self, timeout)
    }

    fn shutdown_write(&mut self) -> io::Result<()> {
        self.shutdown(Shutdown::Write)
    }

    fn shutdown_both(&mut self) -> io::Result<()> {
        self.shutdown(Shutdown::Both)
    }

    fn try_clone(&self) -> io::Result<Self> {
        TcpStream::try_clone(self)
    }
}

impl Stream for UnixStream {
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        UnixStream::set_read_timeout(self, timeout)
    }

    fn shutdown_write(&mut self) -> io::Result<()> {
        self.shutdown(Shutdown::Write)
    }

    fn shutdown_both(&mut self) -> io::Result<()> {
        self.shutdown(Shutdown::Both)
    }

    fn try_clone(&self) -> io::Result<Self> {
        UnixStream::try_clone(self)
    }
}

/// Where the blocking layer reads the time: the core's deadlines are compared with it.
/// [`SystemClock`] in production; a test shares a virtual clock with its stream, whose reads
/// time out when virtual time reaches the read timeout.
pub trait Clock {
    /// The current instant.
    fn now(&self) -> Instant;

    /// Waits until `deadline`. Used only when the connection must not read (its event
    /// queue is full while `close` waits for the close timer); every other wait is a read
    /// with a timeout.
    fn sleep_until(&self, deadline: Instant) {
        std::thread::sleep(deadline.saturating_duration_since(self.now()));
    }
}

/// The real clock: [`Instant::now`].
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// The read timeout to set for a wait until `deadline`: at least a millisecond, since a zero
/// timeout means "forever" to `std` (and an error on some platforms).
pub(crate) fn time_left(deadline: Option<Instant>, now: Instant) -> Option<Duration> {
    deadline.map(|deadline| {
        deadline
            .saturating_duration_since(now)
            .max(Duration::from_millis(1))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_passed_deadline_still_gives_a_nonzero_timeout() {
        let now = Instant::now();
        assert_eq!(time_left(None, now), None);
        assert_eq!(
            time_left(Some(now), now + Duration::from_secs(1)),
            Some(Duration::from_millis(1))
        );
        assert_eq!(
            time_left(Some(now + Duration::from_secs(2)), now),
            Some(Duration::from_secs(2))
        );
    }

    #[test]
    fn unix_streams_clone_and_half_close() {
        let (mut a, mut b) = UnixStream::pair().expect("pair");
        let mut clone = Stream::try_clone(&a).expect("clone");
        clone.write_all(b"hi").expect("write");
        a.shutdown_write().expect("shutdown");
        let mut got = Vec::new();
        b.read_to_end(&mut got).expect("read to EOF");
        assert_eq!(got, b"hi");
    }
}
