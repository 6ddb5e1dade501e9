//! Logging through `tracing` (feature `tracing`): one span per connection, `debug` events for
//! the lifecycle (handshake, close with code, reason, cause and initiator, protocol errors,
//! transport failures) and `trace` events for each message and control frame. Nothing is
//! logged per message at `info` or above, and nothing at `warn`: every end of a connection is
//! the peer's business or the application's, not an operator's.
//!
//! Without the feature every function here is empty and the span is a zero-sized value, so
//! the driver pays nothing.

use std::io;
use std::net::SocketAddr;

use wsflow_core::{Event, Role};

/// The connection's span (a unit value without the feature).
#[cfg(feature = "tracing")]
pub(crate) type Span = tracing::Span;

/// The connection's span (a unit value without the feature).
#[cfg(not(feature = "tracing"))]
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Span;

/// A span for a new connection: `websocket{role, peer, subprotocol}` at `debug`.
#[cfg(feature = "tracing")]
pub(crate) fn connection_span(role: Role, peer: Option<SocketAddr>) -> Span {
    let span = tracing::debug_span!(
        "websocket",
        role = ?role,
        peer = tracing::field::Empty,
        subprotocol = tracing::field::Empty,
    );
    if let Some(peer) = peer {
        span.record("peer", tracing::field::display(peer));
    }
    span
}

/// A span for a new connection (nothing without the feature).
#[cfg(not(feature = "tracing"))]
pub(crate) fn connection_span(_role: Role, _peer: Option<SocketAddr>) -> Span {
    Span
}

/// Logs an event the driver took out of the core.
#[cfg(feature = "tracing")]
pub(crate) fn event(span: &Span, event: &Event) {
    use wsflow_core::CloseCause;
    match event {
        Event::Upgrade(request) => tracing::debug!(
            parent: span,
            path = %request.request.uri(),
            origin = request.origin(),
            subprotocols = ?request.subprotocols,
            "upgrade request"
        ),
        Event::Opened(opened) => {
            if let Some(name) = &opened.subprotocol {
                span.record("subprotocol", name.as_str());
            }
            let extensions: Vec<&str> = opened.extensions.iter().map(|e| e.name.as_str()).collect();
            tracing::debug!(parent: span, subprotocol = ?opened.subprotocol, ?extensions, "opened");
        }
        Event::Message(message) => {
            tracing::trace!(parent: span, kind = ?message.kind(), len = message.len(), "message");
        }
        Event::MessageChunk { chunk, fin } => {
            tracing::trace!(parent: span, kind = ?chunk.kind(), len = chunk.len(), fin, "chunk");
        }
        Event::Ping(payload) => tracing::trace!(parent: span, len = payload.len(), "ping"),
        Event::Pong(payload) => tracing::trace!(parent: span, len = payload.len(), "pong"),
        Event::CloseReceived(frame) => tracing::debug!(
            parent: span,
            code = frame.code.as_u16(),
            reason = frame.reason.as_str(),
            "close frame received"
        ),
        Event::Closed(report) => {
            let code = report.code.as_u16();
            let reason = report.reason.as_str();
            match &report.cause {
                CloseCause::Clean { initiator } => {
                    tracing::debug!(parent: span, code, reason, ?initiator, "closed cleanly");
                }
                CloseCause::ProtocolError(error) => {
                    tracing::debug!(parent: span, code, %error, "closed: protocol error");
                }
                CloseCause::Handshake(error) => {
                    tracing::debug!(parent: span, %error, "opening handshake failed");
                }
                CloseCause::Rejected(status) => {
                    tracing::debug!(parent: span, %status, "upgrade rejected");
                }
                cause => {
                    tracing::debug!(parent: span, code, ?cause, "closed without a close handshake");
                }
            }
        }
    }
}

/// Logs an event the driver took out of the core (nothing without the feature).
#[cfg(not(feature = "tracing"))]
#[inline(always)]
pub(crate) fn event(_span: &Span, _event: &Event) {}

/// Logs a transport failure, which aborts the connection.
#[cfg(feature = "tracing")]
pub(crate) fn transport_error(span: &Span, error: &io::Error) {
    tracing::debug!(parent: span, %error, "transport failed; connection aborted");
}

/// Logs a transport failure (nothing without the feature).
#[cfg(not(feature = "tracing"))]
#[inline(always)]
pub(crate) fn transport_error(_span: &Span, _error: &io::Error) {}
