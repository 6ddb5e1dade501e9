//! What every runner does the same way with a connection's lifecycle: build it for a script
//! (in its handshake phase when the script has one), answer a server's upgrade request as the
//! script's setup says, and turn the handshake's events into the outcome scripts check.

use std::time::Instant;

use wsflow_core::handshake::{Accept, ClientRequest, ServerOptions, UpgradeRequest};
use wsflow_core::mask::FixedMask;
use wsflow_core::{CloseCause, Connection, Event, Role};

use super::Setup;
use crate::names::handshake_error_name;
use crate::script::{FIXED_KEY, HandshakeOutcome, HandshakeSetup};

/// The connection a script runs against, at `now`: already open when the script has no
/// handshake, else in its handshake phase (a client with [`FIXED_KEY`]). Clients mask with
/// `FixedMask(setup.our_mask)`.
pub fn connection(setup: &Setup, now: Instant) -> Connection {
    let config = setup.config.clone();
    let conn = match (&setup.handshake, setup.role) {
        (None, role) => Connection::new(role, config, now),
        (Some(hs), Role::Client) => {
            Connection::client_with_key(client_request(hs), FIXED_KEY, config, now)
        }
        (Some(hs), Role::Server) => {
            let mut options = ServerOptions::new();
            options.deflate.clone_from(&hs.deflate);
            Connection::server(options, config, now)
        }
    };
    conn.with_mask_source(Box::new(FixedMask(setup.our_mask)))
}

/// The client's request for a handshake script.
pub fn client_request(hs: &HandshakeSetup) -> ClientRequest {
    let mut request = ClientRequest::new(&hs.url).expect("a valid URL in the script");
    for name in &hs.subprotocols {
        request = request.subprotocol(name.clone());
    }
    if let Some(deflate) = &hs.deflate {
        request = request.deflate(deflate.clone());
    }
    request
}

/// The server's answer for a handshake script: the first offered subprotocol it supports
/// (permessage-deflate is negotiated by the core, from [`connection`]'s options).
pub fn decide(setup: &Setup, request: &UpgradeRequest) -> Accept {
    let supported = setup
        .handshake
        .as_ref()
        .map_or(&[][..], |hs| hs.subprotocols.as_slice());
    let mut accept = Accept::new();
    if let Some(name) = request
        .subprotocols
        .iter()
        .find(|name| supported.contains(name))
    {
        accept = accept.subprotocol(name.clone());
    }
    accept
}

/// Takes the opening handshake's events out of what the application saw: `Opened` and a
/// `Closed` that ended the handshake become the outcome scripts check with `expect
/// handshake`; everything else is left for `expect event`.
pub fn handshake_outcome(event: &Event) -> Option<HandshakeOutcome> {
    match event {
        Event::Opened(opened) => Some(HandshakeOutcome::Open(opened.subprotocol.clone())),
        Event::Closed(report) => match &report.cause {
            CloseCause::Handshake(error) => {
                Some(HandshakeOutcome::Failed(handshake_error_name(error).into()))
            }
            _ => None,
        },
        _ => None,
    }
}
