//! Incremental reading of an HTTP/1.1 head (start line + header lines + blank line), shared by
//! both roles.
//!
//! Every byte is examined once. A parser that re-runs `httparse` over the whole buffer on each
//! read goes quadratic when a peer trickles a large head in byte by byte (CVE-2023-43669);
//! here the scan keeps its place between calls (the start of the current line) and `httparse`
//! runs exactly once, after the blank line has been seen. Limits are enforced on the partial
//! head as it grows, so a head that never ends is cut off at the first limit it crosses.
//!
//! Line endings: like `httparse`, a bare `\n` is accepted as well as `\r\n` (RFC 9112 §2.2
//! allows recipients to), and empty lines before the start line are skipped (§2.2 too).

use http::HeaderMap;
use http::header::{HeaderName, HeaderValue};

use super::error::HandshakeError;
use super::limits::HandshakeLimits;

/// Accumulates a head until its terminating blank line.
#[derive(Debug)]
pub(crate) struct HeadReader {
    head: Vec<u8>,
    /// Offset in `head` where the current, unfinished line starts.
    line_start: usize,
    seen_start_line: bool,
    header_lines: usize,
    limits: HandshakeLimits,
    /// Bytes examined so far, for the test that proves the scan is linear.
    #[cfg(test)]
    pub(crate) scanned: usize,
}

impl HeadReader {
    pub(crate) fn new(limits: HandshakeLimits) -> Self {
        HeadReader {
            head: Vec::new(),
            line_start: 0,
            seen_start_line: false,
            header_lines: 0,
            limits,
            #[cfg(test)]
            scanned: 0,
        }
    }

    /// The head so far; the complete head once [`Self::feed`] returned `Some`.
    pub(crate) fn head(&self) -> &[u8] {
        &self.head
    }

    /// How many header lines the head has; a safe size for `httparse`'s header array, since
    /// every header takes at least one line.
    pub(crate) fn header_lines(&self) -> usize {
        self.header_lines
    }

    /// Takes the head's share of `data`. Returns the bytes after the head once the blank line
    /// has arrived, `None` while it has not.
    pub(crate) fn feed<'d>(&mut self, data: &'d [u8]) -> Result<Option<&'d [u8]>, HandshakeError> {
        let mut rest = data;
        while !rest.is_empty() {
            let newline = rest.iter().position(|&byte| byte == b'\n');
            let (segment, after) = match newline.and_then(|at| rest.split_at_checked(at + 1)) {
                Some(split) => split,
                None => (rest, &[][..]),
            };
            #[cfg(test)]
            {
                self.scanned += segment.len();
            }
            let line_len = self.head.len() - self.line_start + segment.len();
            if newline.is_none() {
                // One byte of slack: the line's `\r` may be its last byte so far.
                if line_len > self.limits.max_line_len.saturating_add(1) {
                    return Err(self.line_too_long());
                }
                self.append(segment)?;
                return Ok(None);
            }
            let mut content_len = line_len - 1;
            if content_len > 0 && self.byte_before_newline(segment) == Some(b'\r') {
                content_len -= 1;
            }
            if content_len == 0 && self.seen_start_line {
                self.append(segment)?;
                return Ok(Some(after));
            }
            if content_len > self.limits.max_line_len {
                return Err(self.line_too_long());
            }
            if content_len > 0 {
                if self.seen_start_line {
                    self.header_lines += 1;
                    if self.header_lines > self.limits.max_headers {
                        return Err(HandshakeError::TooManyHeaders {
                            limit: self.limits.max_headers,
                        });
                    }
                }
                self.seen_start_line = true;
            }
            self.append(segment)?;
            self.line_start = self.head.len();
            rest = after;
        }
        Ok(None)
    }

    /// The byte just before the `\n` that ends `segment`, which may already sit in `head`
    /// when the `\r` and the `\n` arrived in different reads.
    fn byte_before_newline(&self, segment: &[u8]) -> Option<u8> {
        match segment.len().checked_sub(2) {
            Some(at) => segment.get(at).copied(),
            None => self.head.last().copied(),
        }
    }

    fn append(&mut self, segment: &[u8]) -> Result<(), HandshakeError> {
        if self.head.len() + segment.len() > self.limits.max_header_bytes {
            return Err(HandshakeError::HeadTooLarge {
                limit: self.limits.max_header_bytes,
            });
        }
        self.head.extend_from_slice(segment);
        Ok(())
    }

    fn line_too_long(&self) -> HandshakeError {
        let limit = self.limits.max_line_len;
        if self.seen_start_line {
            HandshakeError::HeaderLineTooLong { limit }
        } else {
            HandshakeError::StartLineTooLong { limit }
        }
    }
}

/// Copies `httparse`'s borrowed headers into an owned map.
pub(crate) fn header_map(headers: &[httparse::Header<'_>]) -> Result<HeaderMap, HandshakeError> {
    let limit = headers.len();
    let too_many = |_| HandshakeError::TooManyHeaders { limit };
    let mut map = HeaderMap::try_with_capacity(headers.len()).map_err(too_many)?;
    for header in headers {
        let name = HeaderName::from_bytes(header.name.as_bytes())
            .map_err(|_| HandshakeError::Malformed("invalid header name".into()))?;
        let value = HeaderValue::from_bytes(header.value)
            .map_err(|_| HandshakeError::Malformed("invalid header value".into()))?;
        map.try_append(name, value).map_err(too_many)?;
    }
    Ok(map)
}

/// Maps an `httparse` failure; its messages are fixed strings, never request content.
pub(crate) fn malformed(error: httparse::Error) -> HandshakeError {
    match error {
        httparse::Error::TooManyHeaders => HandshakeError::Malformed("too many headers".into()),
        other => HandshakeError::Malformed(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(line: usize, headers: usize, bytes: usize) -> HandshakeLimits {
        HandshakeLimits {
            max_line_len: line,
            max_headers: headers,
            max_header_bytes: bytes,
            ..HandshakeLimits::default()
        }
    }

    #[test]
    fn finds_the_end_across_every_split_and_keeps_the_rest() {
        let input = b"GET / HTTP/1.1\r\nHost: a\r\n\r\nrest";
        for split in 0..=input.len() {
            let (first, second) = input.split_at(split);
            let mut reader = HeadReader::new(HandshakeLimits::default());
            let leftover = match reader.feed(first).unwrap() {
                Some(leftover) => [leftover, second].concat(),
                None => reader.feed(second).unwrap().unwrap().to_vec(),
            };
            assert_eq!(leftover, b"rest", "split {split}");
            assert_eq!(reader.head(), &input[..27]);
            assert_eq!(reader.header_lines(), 1);
        }
    }

    #[test]
    fn bare_newlines_and_leading_blank_lines() {
        let mut reader = HeadReader::new(HandshakeLimits::default());
        let leftover = reader.feed(b"\r\n\nGET / HTTP/1.1\nA: b\n\nx").unwrap();
        assert_eq!(leftover, Some(&b"x"[..]));
        assert_eq!(reader.header_lines(), 1);
    }

    #[test]
    fn line_limit_counts_content_without_line_ending() {
        let ok = b"GET /23456 HTTP/1.1\r\n\r\n"; // 19 bytes of content
        let mut reader = HeadReader::new(limits(19, 10, 1000));
        assert!(reader.feed(ok).unwrap().is_some());
        let mut reader = HeadReader::new(limits(18, 10, 1000));
        assert!(matches!(
            reader.feed(ok),
            Err(HandshakeError::StartLineTooLong { limit: 18 })
        ));
        // Caught before the line ends: the peer never has to send the newline.
        let mut reader = HeadReader::new(limits(18, 10, 1000));
        assert!(matches!(
            reader.feed(&[b'A'; 20]),
            Err(HandshakeError::StartLineTooLong { limit: 18 })
        ));
        let mut reader = HeadReader::new(limits(8, 10, 1000));
        reader.feed(b"GET /\r\n").unwrap();
        assert!(matches!(
            reader.feed(b"Name: 1234"),
            Err(HandshakeError::HeaderLineTooLong { limit: 8 })
        ));
    }

    #[test]
    fn header_count_and_total_size_limits() {
        let mut reader = HeadReader::new(limits(100, 2, 1000));
        reader.feed(b"GET /\r\nA: 1\r\nB: 2\r\n").unwrap();
        assert!(matches!(
            reader.feed(b"C: 3\r\n"),
            Err(HandshakeError::TooManyHeaders { limit: 2 })
        ));
        // The total limit includes the blank line, and bytes after the head do not count.
        let head = b"GET /\r\nA: 1\r\n\r\n";
        let mut reader = HeadReader::new(limits(100, 10, head.len()));
        assert!(
            reader
                .feed(&[&head[..], &[0; 100]].concat())
                .unwrap()
                .is_some()
        );
        let mut reader = HeadReader::new(limits(100, 10, head.len() - 1));
        assert!(matches!(
            reader.feed(head),
            Err(HandshakeError::HeadTooLarge { .. })
        ));
    }

    #[test]
    fn endless_head_is_cut_off_at_the_size_limit_while_bytes_arrive() {
        let mut reader = HeadReader::new(limits(100, 10_000, 1000));
        reader.feed(b"GET / HTTP/1.1\r\n").unwrap();
        let mut fed = 0;
        let error = loop {
            match reader.feed(b"X: y\r\n") {
                Ok(None) => fed += 6,
                Ok(Some(_)) => panic!("no blank line was sent"),
                Err(error) => break error,
            }
        };
        assert!(matches!(
            error,
            HandshakeError::HeadTooLarge { limit: 1000 }
        ));
        assert!(fed < 1000);
    }
}
