//! What a black-box endpoint writes, split into what the executor judges as output and what
//! it judges as events.
//!
//! An echo endpoint's data frames are its application's answers: they are taken out of the
//! output and reassembled into the message events the script expects (`expect event text`),
//! whatever fragmentation the endpoint chose. Everything else (control frames, close frames,
//! HTTP, a data frame that is not a valid echo) stays in the output, in order, for `expect
//! sent` to judge. A client endpoint masks with keys of its own choosing; its frames are
//! re-masked with the script's key so that the executor compares them as in process (the
//! mask bit itself is kept: an unmasked frame stays unmasked).

use wsflow_core::{Event, Message, Role};

use crate::wire;

/// The endpoint's output stream, frame by frame.
#[derive(Debug)]
pub struct Output {
    /// The endpoint's role: a client must mask, a server must not.
    role: Role,
    /// The key the script expects a client endpoint to mask with.
    our_mask: [u8; 4],
    /// Bytes not yet making a whole frame.
    pending: Vec<u8>,
    /// The echoed message being reassembled: its opcode and payload so far.
    message: Option<(u8, Vec<u8>)>,
    /// The stream starts with an HTTP response (a handshake script) not read yet.
    http_first: bool,
    /// The HTTP response refused the upgrade: whatever follows is not frames.
    raw: bool,
}

impl Output {
    /// A fresh stream for an endpoint in `role` whose frames the script masks with `our_mask`.
    pub fn new(role: Role, our_mask: [u8; 4]) -> Self {
        Output {
            role,
            our_mask,
            pending: Vec::new(),
            message: None,
            http_first: false,
            raw: false,
        }
    }

    /// A stream that starts with the server's HTTP response to the script's own request.
    pub fn after_http(mut self) -> Self {
        self.http_first = true;
        self
    }

    /// Hands over the HTTP response at the front once complete (head and `Content-Length`
    /// body); returns whether frames may follow.
    fn take_http(&mut self, sent: &mut Vec<u8>) -> bool {
        let Some(end) = self.pending.windows(4).position(|w| w == b"\r\n\r\n") else {
            return false;
        };
        let head =
            String::from_utf8_lossy(self.pending.get(..end).unwrap_or_default()).into_owned();
        let body = head
            .lines()
            .filter_map(|line| line.split_once(':'))
            .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
            .and_then(|(_, value)| value.trim().parse::<usize>().ok())
            .unwrap_or(0);
        let len = end + 4 + body;
        if self.pending.len() < len {
            return false;
        }
        sent.extend(self.pending.drain(..len));
        self.http_first = false;
        self.raw = head.split(' ').nth(1) != Some("101");
        true
    }

    /// Takes `bytes`; appends to `sent` what the executor judges as output and to `events` the
    /// echoed messages completed.
    pub fn feed(&mut self, bytes: &[u8], sent: &mut Vec<u8>, events: &mut Vec<Event>) {
        self.pending.extend_from_slice(bytes);
        if self.http_first && !self.take_http(sent) {
            return;
        }
        if self.raw {
            sent.append(&mut self.pending);
            return;
        }
        while let Some(frame) = wire::decode(&self.pending) {
            let raw: Vec<u8> = self.pending.drain(..frame.wire_len).collect();
            if !self.absorb(&frame, events) {
                sent.extend(self.remask(raw, &frame));
            }
        }
    }

    /// Whether bytes wait for the rest of their frame.
    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Hands over the bytes that do not make a whole frame (the stream ended, or the
    /// executor stopped waiting for the rest).
    pub fn flush(&mut self, sent: &mut Vec<u8>) {
        sent.append(&mut self.pending);
    }

    /// Takes `frame` as part of an echo if it is a valid data frame for the endpoint's role;
    /// completes a message event on its last frame.
    fn absorb(&mut self, frame: &wire::Decoded, events: &mut Vec<Event>) -> bool {
        let masked_right = frame.key.is_some() == (self.role == Role::Client);
        if frame.rsv != 0 || !masked_right {
            return false;
        }
        match (frame.opcode, &mut self.message) {
            (1 | 2, None) => self.message = Some((frame.opcode, frame.payload.clone())),
            (0, Some((_, payload))) => payload.extend_from_slice(&frame.payload),
            _ => return false,
        }
        if frame.fin {
            if let Some((opcode, payload)) = self.message.take() {
                events.push(Event::Message(if opcode == 1 {
                    Message::text(String::from_utf8_lossy(&payload).into_owned())
                } else {
                    Message::binary(payload)
                }));
            }
        }
        true
    }

    /// `raw` (the bytes of `frame`) masked with the script's key instead of the endpoint's.
    fn remask(&self, raw: Vec<u8>, frame: &wire::Decoded) -> Vec<u8> {
        if frame.key.is_none() {
            return raw;
        }
        let key_at = frame.wire_len - frame.payload.len() - 4;
        let mut out = raw;
        out.truncate(key_at);
        out.extend_from_slice(&self.our_mask);
        let mut payload = frame.payload.clone();
        wire::mask(&mut payload, self.our_mask);
        out.extend(payload);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::{FrameSpec, LengthForm, MaskChoice};

    fn frame(fin: bool, opcode: u8, payload: &[u8], key: Option<[u8; 4]>) -> Vec<u8> {
        let spec = FrameSpec {
            fin,
            rsv: 0,
            opcode,
            mask: MaskChoice::Auto,
            length: LengthForm::Minimal,
            payload: payload.to_vec(),
        };
        wire::encode(&spec, key)
    }

    #[test]
    fn echoes_become_events_and_the_rest_stays_in_order() {
        let mut output = Output::new(Role::Client, [1, 2, 3, 4]);
        let theirs = Some([9, 9, 9, 9]);
        let mut stream = frame(false, 1, b"Hel", theirs);
        stream.extend(frame(true, 9, b"p", theirs));
        stream.extend(frame(true, 0, b"lo", theirs));
        stream.extend(frame(true, 2, b"unmasked", None));
        let (mut sent, mut events) = (Vec::new(), Vec::new());
        for byte in &stream {
            output.feed(&[*byte], &mut sent, &mut events);
        }
        assert_eq!(events.len(), 1);
        assert!(matches!(&events[0], Event::Message(m) if m.as_bytes() == &b"Hello"[..]));
        let mut expected = frame(true, 9, b"p", Some([1, 2, 3, 4]));
        expected.extend(frame(true, 2, b"unmasked", None));
        assert_eq!(sent, expected);
    }
}
