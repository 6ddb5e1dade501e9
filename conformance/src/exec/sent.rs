//! `expect sent`: the frames at the front of what the endpoint wrote.

use wsflow_core::Role;

use crate::script::{ExpectedFrame, FrameSpec, MaskChoice};
use crate::wire;

use super::Exec;

impl Exec<'_> {
    /// Our masking key for `spec`: after a handshake, an adapter masks with its own random
    /// keys, so the key of the frame actually sent is taken.
    fn our_key_for(&self, spec: &FrameSpec) -> Option<[u8; 4]> {
        let we_are_client = self.role == Role::Client;
        if self.script.handshake.is_some() && we_are_client && spec.mask == MaskChoice::Auto {
            if let Some(frame) = wire::decode(&self.sent) {
                return frame.key.or(Some(self.script.our_mask));
            }
        }
        Self::key(spec.mask, we_are_client, self.script.our_mask)
    }

    /// Whether enough has been written to judge `expected`: all its bytes, or a first
    /// difference already (so a session over real TCP stops waiting for output that is wrong).
    pub(super) fn sent_ready(&self, expected: &ExpectedFrame) -> bool {
        let bytes = match expected {
            ExpectedFrame::Exact(spec) => wire::encode(spec, self.our_key_for(spec)),
            ExpectedFrame::Raw(bytes) => bytes.clone(),
            ExpectedFrame::CloseAnyReason(_) => {
                return wire::decode(&self.sent).is_some()
                    || self.sent.first().is_some_and(|first| first & 0x0f != 0x8);
            }
        };
        let common = bytes.len().min(self.sent.len());
        self.sent.len() >= bytes.len() || self.sent.get(..common) != bytes.get(..common)
    }

    pub(super) fn expect_sent(&mut self, expected: &ExpectedFrame) -> Result<(), String> {
        let got = || {
            if self.sent.is_empty() && self.shutdown {
                "got nothing before the write half was shut down (FIN)".to_owned()
            } else if self.sent.is_empty() {
                "got nothing".to_owned()
            } else {
                format!("got {}", wire::describe(&self.sent))
            }
        };
        match expected {
            ExpectedFrame::Exact(spec) => {
                let bytes = wire::encode(spec, self.our_key_for(spec));
                if !self.sent.starts_with(&bytes) {
                    return Err(format!(
                        "expected {} (hex {}), {}",
                        wire::describe(&bytes),
                        wire::hex(&bytes),
                        got()
                    ));
                }
                self.sent.drain(..bytes.len());
            }
            ExpectedFrame::Raw(bytes) => {
                if !self.sent.starts_with(bytes) {
                    return Err(format!("expected hex {}, {}", wire::hex(bytes), got()));
                }
                self.sent.drain(..bytes.len());
            }
            ExpectedFrame::CloseAnyReason(code) => {
                let Some(frame) = wire::decode(&self.sent) else {
                    return Err(format!("expected close {code} any-reason, {}", got()));
                };
                let we_are_client = self.role == Role::Client;
                let key_ok = match frame.key {
                    Some(key) => {
                        we_are_client
                            && (key == self.script.our_mask || self.script.handshake.is_some())
                    }
                    None => !we_are_client,
                };
                let code_ok = frame.payload.get(..2) == Some(&code.to_be_bytes()[..]);
                let reason = frame.payload.get(2..).unwrap_or_default();
                let reason_ok = reason.len() <= 123 && std::str::from_utf8(reason).is_ok();
                let header_ok = frame.fin && frame.rsv == 0 && frame.opcode == 0x8;
                let minimal = frame.wire_len
                    == frame.payload.len() + 2 + if frame.key.is_some() { 4 } else { 0 };
                if !(key_ok && code_ok && reason_ok && header_ok && minimal) {
                    return Err(format!("expected close {code} any-reason, {}", got()));
                }
                self.sent.drain(..frame.wire_len);
            }
        }
        Ok(())
    }
}
