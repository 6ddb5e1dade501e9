//! The close handshake (RFC 6455 §7), failing the connection, EOF, and the timers.

use std::time::Instant;

use bytes::Bytes;

use super::{Connection, Phase};
use crate::close::{CloseCode, CloseFrame, MAX_CLOSE_REASON_LEN};
use crate::error::{ProtocolError, SendError};
use crate::event::{CloseCause, CloseReport, Event, Initiator};
use crate::frame::OpCode;
use crate::message::Utf8Bytes;
use crate::role::Role;

impl Connection {
    /// Starts the close handshake: queues a close frame with `code` and `reason` and waits up
    /// to [`Config::close_timeout`](crate::Config::close_timeout) for the peer's answer.
    /// [`CloseCode::NO_STATUS`] sends a close frame with no payload.
    ///
    /// Fails, changing nothing, if a close frame was already sent, the code may not be sent,
    /// or the reason is longer than 123 bytes.
    ///
    /// During the opening handshake there is nothing to close yet: it fails with
    /// [`SendError::NotOpen`] (use [`Self::abort`], or a server's [`Self::reject`]).
    pub fn close(&mut self, now: Instant, code: CloseCode, reason: &str) -> Result<(), SendError> {
        self.latest_now = now;
        if matches!(self.phase, Phase::Handshake(_)) {
            return Err(SendError::NotOpen);
        }
        if self.is_closed() || self.close_sent.is_some() {
            return Err(SendError::Closed);
        }
        if code != CloseCode::NO_STATUS && !code.is_sendable() {
            return Err(SendError::InvalidCloseCode(code.as_u16()));
        }
        if reason.len() > MAX_CLOSE_REASON_LEN {
            return Err(SendError::CloseReasonTooLong(reason.len()));
        }
        if code == CloseCode::NO_STATUS && !reason.is_empty() {
            return Err(SendError::InvalidCloseCode(code.as_u16()));
        }
        self.initiator.get_or_insert(Initiator::Local);
        self.send_close_frame(code, reason);
        if self.close_received.is_some() {
            self.on_handshake_complete(now);
        } else {
            self.close_deadline = Some(now + self.config.close_timeout);
            // Input that parsing left buffered (at the event limit, or until the application
            // took the last event) may hold the peer's close frame, and an adapter's `close`
            // only reads on — it takes no event that would resume parsing. Parse it now,
            // under the limit our close frame raised: a peer that sent its close and waits
            // for our FIN sends nothing more to wake the parser, and the handshake would
            // end by the close timeout instead. A peer's close held behind undelivered
            // events is answered now too, as one arriving after our close frame would be.
            if let Some(frame) = self.pending_close.take() {
                self.on_close_frame(frame);
            } else {
                self.process_input(now);
            }
        }
        Ok(())
    }

    /// Ends the connection at once, without a close handshake: drops queued output and
    /// reports [`Event::Closed`] with [`CloseCause::Aborted`]. The adapter drops the
    /// transport.
    pub fn abort(&mut self) {
        if self.is_closed() {
            return;
        }
        self.output.clear();
        self.pending_pong = None;
        self.finish(CloseCode::ABNORMAL, Utf8Bytes::new(), CloseCause::Aborted);
    }

    /// Acts on the deadline returned by [`Self::poll_timeout`]: an opening handshake that
    /// took too long, a close handshake or TCP teardown that took too long, a keepalive ping
    /// that is due, or a pong that did not come. Calling it early does nothing.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.latest_now = now;
        match self.phase {
            Phase::Closed => return,
            Phase::Handshake(_) => return self.opening_timeout(now),
            Phase::Open | Phase::Closing => {}
        }
        if self.close_deadline.is_some_and(|deadline| now >= deadline) {
            if let Some(frame) = self.pending_close.take() {
                // The application kept the peer's close waiting behind undelivered events
                // for a whole close timeout: answer it now; the events stay receivable.
                self.on_close_frame(frame);
                return;
            }
            // The peer is not reading or not closing: what is still queued will never leave.
            self.output.clear();
            self.pending_pong = None;
            let (code, reason, cause) = self.closing_report(CloseCause::Timeout);
            self.finish(code, reason, cause);
            return;
        }
        let Some(keepalive) = self.config.keepalive else {
            return;
        };
        if self.state() != super::State::Open {
            return;
        }
        match &self.keepalive.awaiting {
            Some((_, deadline)) if now >= *deadline => {
                // The peer is known to be gone: waiting for its close frame or its FIN
                // would only delay the report by a close timeout. Our close frame is still
                // queued (best effort) and the write half shut down after it.
                self.fail(now, ProtocolError::KeepaliveTimeout);
                let (code, reason, cause) = self.closing_report(CloseCause::Timeout);
                self.finish(code, reason, cause);
            }
            Some(_) => {}
            None => {
                let due = self
                    .keepalive
                    .last_seen
                    .map_or(now, |seen| seen + keepalive.interval);
                if now >= due {
                    self.keepalive.pings_sent = self.keepalive.pings_sent.wrapping_add(1);
                    let payload = Bytes::copy_from_slice(&self.keepalive.pings_sent.to_be_bytes());
                    self.write_frame(true, 0, OpCode::Ping, payload.clone());
                    self.keepalive.awaiting = Some((payload, now + keepalive.timeout));
                    self.keepalive.ping_queued_at = Some(now);
                }
            }
        }
    }

    /// The keepalive part of [`Self::poll_timeout`].
    #[inline]
    pub(super) fn keepalive_deadline(&self) -> Option<Instant> {
        let keepalive = self.config.keepalive?;
        if self.state() != super::State::Open {
            return None;
        }
        match &self.keepalive.awaiting {
            Some((_, deadline)) => Some(*deadline),
            None => self
                .keepalive
                .last_seen
                .map(|seen| seen + keepalive.interval),
        }
    }

    pub(super) fn on_pong(&mut self, payload: &Bytes) {
        if self
            .keepalive
            .awaiting
            .as_ref()
            .is_some_and(|(expected, _)| expected == payload)
        {
            self.keepalive.awaiting = None;
            if let Some(queued) = self.keepalive.ping_queued_at.take() {
                self.stats.last_round_trip =
                    Some(self.latest_now.saturating_duration_since(queued));
            }
        }
    }

    /// The peer's close frame: answer it (echoing its code) unless we started the
    /// handshake, and stop parsing input: nothing may follow a close frame.
    pub(super) fn on_close_frame(&mut self, frame: CloseFrame) {
        self.discard_input();
        self.enter_closing();
        self.close_received = Some(frame.clone());
        if self.close_sent.is_none() {
            self.initiator.get_or_insert(Initiator::Remote);
            // Echo the code without the reason, as most implementations do; an empty close
            // (1005) is answered with an empty close.
            self.send_close_frame(frame.code, "");
        }
        self.events.push_back(Event::CloseReceived(frame));
        self.on_handshake_complete(self.latest_now);
    }

    /// Both close frames are out: the server closes TCP first (RFC 6455 §7.1.1); the client
    /// waits for that, up to the close timeout.
    fn on_handshake_complete(&mut self, now: Instant) {
        if self.role == Role::Server {
            self.shutdown_due = true;
        }
        self.close_deadline = Some(now + self.config.close_timeout);
    }

    /// Fails the connection (RFC 6455 §7.1.7): sends a close frame with the error's code,
    /// ignores all further input, and — on the server — closes TCP without waiting for the
    /// client's close frame. A client waits for the server to close TCP.
    pub(super) fn fail(&mut self, now: Instant, error: ProtocolError) {
        if self.is_closed() || self.failure.is_some() {
            return;
        }
        self.discard_input();
        self.enter_closing();
        self.pending_failure = None;
        self.pending_close = None;
        if self.close_sent.is_none() {
            let reason = short_reason(&error.to_string());
            self.send_close_frame(error.close_code(), &reason);
        }
        self.failure = Some(error);
        if self.role == Role::Server {
            self.shutdown_due = true;
        }
        self.close_deadline = Some(now + self.config.close_timeout);
    }

    fn send_close_frame(&mut self, code: CloseCode, reason: &str) {
        self.enter_closing();
        let payload = CloseFrame::encode(code, reason);
        self.pending_pong = None;
        self.write_frame(true, 0, OpCode::Close, payload);
        self.close_sent = Some(CloseFrame {
            code,
            reason: Utf8Bytes::from(reason.to_owned()),
        });
    }

    /// The transport's read side ended and all buffered input was processed.
    pub(super) fn on_eof(&mut self) {
        // While parsing is paused for backpressure, input may still be buffered: the EOF is
        // acted on when `poll_event` has drained enough for parsing to finish.
        if self.is_closed() || self.events.len() >= self.event_limit() {
            return;
        }
        let (code, reason, cause) = self.closing_report(CloseCause::Eof);
        self.finish(code, reason, cause);
    }

    /// The code, reason and cause to report when the connection ends now; `otherwise` is
    /// the cause when neither a failure nor a completed handshake explains the end.
    fn closing_report(&self, otherwise: CloseCause) -> (CloseCode, Utf8Bytes, CloseCause) {
        if let Some(error) = &self.failure {
            // The reason that goes with the error's code: the one our failure close frame
            // carried, or would have carried if a close frame of ours was already out.
            return (
                error.close_code(),
                Utf8Bytes::from(short_reason(&error.to_string())),
                CloseCause::ProtocolError(error.clone()),
            );
        }
        match (&self.close_sent, &self.close_received, self.initiator) {
            (Some(_), Some(received), Some(initiator)) => (
                received.code,
                received.reason.clone(),
                CloseCause::Clean { initiator },
            ),
            _ => (CloseCode::ABNORMAL, Utf8Bytes::new(), otherwise),
        }
    }

    /// Open → closing, the first time a close frame goes out or comes in, or the connection
    /// fails.
    fn enter_closing(&mut self) {
        if matches!(self.phase, Phase::Open) {
            self.phase = Phase::Closing;
        }
    }

    /// Any phase → closed: the one place the final report is made.
    pub(super) fn finish(&mut self, code: CloseCode, reason: Utf8Bytes, cause: CloseCause) {
        self.phase = Phase::Closed;
        self.discard_input();
        self.pending_failure = None;
        self.pending_close = None;
        self.close_deadline = None;
        let report = CloseReport {
            code,
            reason,
            cause,
        };
        self.report = Some(report.clone());
        self.events.push_back(Event::Closed(report));
    }
}

/// A close reason made from an error message, cut to fit a control frame on a character
/// boundary.
fn short_reason(text: &str) -> String {
    let mut end = text.len().min(MAX_CLOSE_REASON_LEN);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or_default().to_owned()
}
