//! Bounds on what a peer may make us buffer before the handshake completes.

use std::time::Duration;

/// Limits on the opening handshake's HTTP head, and how long it may take.
///
/// The head is buffered whole before it is parsed, so these limits are what keeps a slow or
/// hostile peer from holding memory. Every limit is checked as bytes arrive: a peer that never
/// sends the blank line ending the head is stopped once it crosses a limit, not when it gives up.
///
/// ```
/// use std::time::Duration;
/// use wsflow_core::handshake::HandshakeLimits;
///
/// let mut limits = HandshakeLimits::default();
/// limits.max_headers = 32;
/// limits.timeout = Duration::from_secs(5);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct HandshakeLimits {
    /// Longest request line, status line or header line, without its line ending.
    /// A longer request line is answered with 414, a longer header line with 431.
    /// Default 8 KiB.
    pub max_line_len: usize,
    /// Most header lines in the head (431 above it). Default 128.
    pub max_headers: usize,
    /// Largest head in bytes, from the first byte of the request or status line through the
    /// blank line that ends it (431 above it). Default 16 KiB.
    pub max_header_bytes: usize,
    /// How long the peer has to complete its part of the handshake, from the moment the
    /// handshake object is created (see `deadline()` on either role). Default 10 s.
    pub timeout: Duration,
}

impl Default for HandshakeLimits {
    fn default() -> Self {
        HandshakeLimits {
            max_line_len: 8 << 10,
            max_headers: 128,
            max_header_bytes: 16 << 10,
            timeout: Duration::from_secs(10),
        }
    }
}
