//! What the scripted peer sends: frames encoded from their description (masked as the peer's
//! role requires), raw bytes and HTTP messages, cut into pieces by the chunking.

use wsflow_core::Role;

use crate::chunking::{Chunking, salt};
use crate::script::{Cut, FrameSpec, HttpPart, LengthForm, MaskChoice, PeerBytes, Trailing};
use crate::wire;

use super::Exec;

impl Exec<'_> {
    fn peer_frame(&self, spec: &FrameSpec) -> Vec<u8> {
        let peer_is_client = self.role == Role::Server;
        wire::encode(
            spec,
            Self::key(spec.mask, peer_is_client, self.script.peer_mask),
        )
    }

    /// The bytes of a `peer sends` step; `trailing` appends the script's trailing bytes (the
    /// last `peer sends` under the `trailing` chunking).
    pub(super) fn peer_bytes(
        &self,
        bytes: &PeerBytes,
        cut: Option<Cut>,
        trailing: bool,
    ) -> Result<Vec<u8>, String> {
        let mut bytes = match bytes {
            PeerBytes::Frame(spec) => {
                let mut bytes = self.peer_frame(spec);
                let header_len = bytes.len() - spec.payload.len();
                match cut {
                    Some(Cut::Header(n)) if n < header_len => bytes.truncate(n),
                    Some(Cut::Header(n)) => {
                        return Err(format!(
                            "the header is only {header_len} bytes, cannot cut at {n}"
                        ));
                    }
                    Some(Cut::Payload(n)) => bytes.truncate(header_len + n),
                    None => {}
                }
                bytes
            }
            PeerBytes::Raw(raw) => raw.clone(),
        };
        if trailing {
            match self.script.trailing {
                Trailing::None => {}
                Trailing::Partial => bytes.push(0x82),
                Trailing::Frame => bytes.extend(self.peer_frame(&FrameSpec {
                    fin: true,
                    rsv: 0,
                    opcode: 1,
                    mask: MaskChoice::Auto,
                    length: LengthForm::Minimal,
                    payload: b"trailing data that must be ignored".to_vec(),
                })),
            }
        }
        Ok(bytes)
    }

    /// The bytes of a `peer sends http` step, with `{accept}` answering the key our client
    /// sent.
    pub(super) fn peer_http_bytes(&self, parts: &[HttpPart]) -> Result<Vec<u8>, String> {
        let mut bytes = Vec::new();
        for part in parts {
            match part {
                HttpPart::Text(text) => {
                    let text = if text.contains("{accept}") {
                        let key = self.our_key.as_ref().ok_or(
                            "`{accept}` needs the key our client sent: `expect sent http` with `Sec-WebSocket-Key: {key}` first",
                        )?;
                        text.replace(
                            "{accept}",
                            &wsflow_core::handshake::accept_key(key.as_bytes()),
                        )
                    } else {
                        text.clone()
                    };
                    bytes.extend_from_slice(text.as_bytes());
                }
                HttpPart::Frame(spec) => bytes.extend(self.peer_frame(spec)),
            }
        }
        Ok(bytes)
    }

    /// Hands `bytes` to the endpoint in the pieces `chunking` cuts (salted by the step, so
    /// random cuts differ between steps but not between runs), observing after each.
    pub(super) fn peer_send(
        &mut self,
        bytes: &[u8],
        split_at: &[usize],
        line: usize,
        chunking: Chunking,
    ) -> Result<(), String> {
        let salt = salt(&self.script.path.to_string_lossy(), line);
        for piece in chunking.pieces(bytes, split_at, salt) {
            self.session.peer_send(&piece);
            self.observe()?;
        }
        Ok(())
    }
}
