//! The endpoint's end of the in-memory pipe. It passes every byte through unchanged, unless
//! the runner was built with a defect ([`H2Defect`]), which it then applies to the HTTP/2
//! frames the endpoint writes: the real endpoint, with a broken transport under it, for
//! `tests/mutants.rs` to show that the scripts catch it.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, DuplexStream, ReadBuf};

/// A deliberate defect of the endpoint's HTTP/2 transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum H2Defect {
    /// The `END_STREAM` flag is cleared on every DATA and HEADERS frame the endpoint sends,
    /// as by a transport that never half-closes its stream: the close handshake's shutdown
    /// and a refusal's end never reach the peer.
    DropsEndStream,
}

/// RFC 9113 §3.4: what a client writes before its first frame.
const CLIENT_PREFACE_LEN: usize = 24;
/// RFC 9113 §4.1: a frame header is 9 bytes: length (3), type, flags, stream identifier (4).
const FRAME_HEADER_LEN: usize = 9;
const FRAME_DATA: u8 = 0x0;
const FRAME_HEADERS: u8 = 0x1;
const FLAG_END_STREAM: u8 = 0x1;

/// Where the endpoint's output stands in HTTP/2's framing.
#[derive(Debug, Clone, Default)]
struct Framing {
    preface_left: usize,
    header: Vec<u8>,
    payload_left: usize,
}

impl Framing {
    /// Walks `bytes`, clearing `END_STREAM` in the frame headers that pass.
    fn strip_end_stream(&mut self, bytes: &mut [u8]) {
        let mut i = 0;
        while i < bytes.len() {
            if self.preface_left > 0 || self.payload_left > 0 {
                let left = self.preface_left.max(self.payload_left);
                let skip = left.min(bytes.len() - i);
                if self.preface_left > 0 {
                    self.preface_left -= skip;
                } else {
                    self.payload_left -= skip;
                }
                i += skip;
                continue;
            }
            if self.header.len() == 4 && matches!(self.header[3], FRAME_DATA | FRAME_HEADERS) {
                bytes[i] &= !FLAG_END_STREAM;
            }
            self.header.push(bytes[i]);
            i += 1;
            if self.header.len() == FRAME_HEADER_LEN {
                self.payload_left = usize::from(self.header[0]) << 16
                    | usize::from(self.header[1]) << 8
                    | usize::from(self.header[2]);
                self.header.clear();
            }
        }
    }
}

/// The endpoint's end of the pipe.
#[derive(Debug)]
pub(super) struct EndpointIo {
    inner: DuplexStream,
    defect: Option<H2Defect>,
    framing: Framing,
}

impl EndpointIo {
    /// `client`: the endpoint writes the client preface first.
    pub(super) fn new(inner: DuplexStream, defect: Option<H2Defect>, client: bool) -> Self {
        let framing = Framing {
            preface_left: if client { CLIENT_PREFACE_LEN } else { 0 },
            ..Framing::default()
        };
        EndpointIo {
            inner,
            defect,
            framing,
        }
    }
}

impl AsyncRead for EndpointIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for EndpointIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.defect.is_none() {
            return Pin::new(&mut self.inner).poll_write(cx, buf);
        }
        // The pipe may take only part of `buf`: change a copy, and move the framing on
        // over what was taken.
        let mut changed = buf.to_vec();
        self.framing.clone().strip_end_stream(&mut changed);
        let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &changed))?;
        let mut taken = buf.get(..n).unwrap_or_default().to_vec();
        self.framing.strip_end_stream(&mut taken);
        Poll::Ready(Ok(n))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn end_stream_is_cleared_on_data_and_headers_only_across_any_cut() {
        let mut stream = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec();
        // SETTINGS ACK (flag 0x1 means ACK there), HEADERS and DATA with END_STREAM.
        stream.extend_from_slice(&[0, 0, 0, 0x4, 0x1, 0, 0, 0, 0]);
        stream.extend_from_slice(&[0, 0, 2, 0x1, 0x5, 0, 0, 0, 1, 0x88, 0x01]);
        stream.extend_from_slice(&[0, 0, 3, 0x0, 0x1, 0, 0, 0, 1, 0x01, 0x01, 0x01]);
        for cut in 1..stream.len() {
            let mut framing = Framing {
                preface_left: CLIENT_PREFACE_LEN,
                ..Framing::default()
            };
            let mut bytes = stream.clone();
            let (head, tail) = bytes.split_at_mut(cut);
            framing.strip_end_stream(head);
            framing.strip_end_stream(tail);
            let settings_flags = bytes[CLIENT_PREFACE_LEN + 4];
            let headers_flags = bytes[CLIENT_PREFACE_LEN + 9 + 4];
            let data_flags = bytes[CLIENT_PREFACE_LEN + 9 + 11 + 4];
            assert_eq!(
                (settings_flags, headers_flags, data_flags),
                (0x1, 0x4, 0x0),
                "cut at {cut}"
            );
            // Payload bytes equal to 0x01 are left alone.
            assert_eq!(&bytes[bytes.len() - 3..], &[1, 1, 1]);
        }
    }
}
