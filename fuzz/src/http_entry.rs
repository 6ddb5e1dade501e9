//! The `http_request_entry` harness.

use std::time::Instant;

use http::{HeaderName, HeaderValue, Method, Request, Uri};
use wsflow_core::extension::deflate::DeflateConfig;
use wsflow_core::handshake::{
    Accept, HandshakeError, ServerOptions, UpgradeRequest, error_http_response,
};
use wsflow_core::{CloseCause, Config, Connection, Event, State};

use crate::connection::drain_output;

/// Builds the request the input describes, if `http` accepts it.
fn build(data: &[u8]) -> Option<http::request::Parts> {
    let mut lines = data.split(|&b| b == b'\n');
    let first = lines.next()?;
    let space = first.iter().position(|&b| b == b' ')?;
    let method = Method::from_bytes(&first[..space]).ok()?;
    let uri = Uri::try_from(&first[space + 1..]).ok()?;
    let mut builder = Request::builder().method(method).uri(uri);
    for line in lines {
        let colon = line.iter().position(|&b| b == b':')?;
        let name = HeaderName::from_bytes(&line[..colon]).ok()?;
        let value = line[colon + 1..].trim_ascii();
        let value = HeaderValue::from_bytes(value).ok()?;
        builder = builder.header(name, value);
    }
    Some(builder.body(()).ok()?.into_parts().0)
}

/// The request as bytes, if an HTTP parser reads exactly the same request back.
fn as_bytes(parts: &http::request::Parts) -> Option<Vec<u8>> {
    let uri = parts.uri.to_string();
    let mut out = format!("{} {uri} HTTP/1.1\r\n", parts.method).into_bytes();
    for (name, value) in &parts.headers {
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    let mut headers = [httparse::EMPTY_HEADER; 128];
    let mut request = httparse::Request::new(&mut headers);
    if !matches!(request.parse(&out), Ok(httparse::Status::Complete(n)) if n == out.len()) {
        return None;
    }
    let same = request.method == Some(parts.method.as_str())
        && request.path == Some(uri.as_str())
        && request.headers.len() == parts.headers.len()
        && request
            .headers
            .iter()
            .zip(&parts.headers)
            .all(|(a, (name, value))| {
                a.name.eq_ignore_ascii_case(name.as_str()) && a.value == value.as_bytes()
            });
    same.then_some(out)
}

fn options() -> ServerOptions {
    ServerOptions::new().deflate(DeflateConfig::default())
}

/// Runs one input.
pub fn run(data: &[u8]) {
    let Some(parts) = build(data) else {
        return;
    };
    let now = Instant::now();
    let parsed = UpgradeRequest::from_parts(&parts);
    let accepted = match &parsed {
        Ok(request) => {
            let (response, mut conn) = Connection::accept_request(
                request,
                Accept::new(),
                &options(),
                Config::default(),
                now,
            );
            assert_eq!(response.status(), 101);
            assert_eq!(conn.state(), State::Open);
            let Some(Event::Opened(opened)) = conn.poll_event() else {
                panic!("accept_request's first event is Opened");
            };
            assert!(opened.response.is_none());
            assert_eq!(
                conn.pending_output(),
                b"",
                "the HTTP server writes the response"
            );
            Some(response)
        }
        Err(error) => {
            if let Some(response) = error_http_response(error) {
                assert!(response.status().as_u16() >= 400, "{error:?}");
            }
            None
        }
    };
    let Some(bytes) = as_bytes(&parts) else {
        return;
    };
    let mut conn = Connection::server(options(), Config::default(), now);
    conn.receive(now, &bytes);
    match (conn.poll_event(), &parsed) {
        (Some(Event::Upgrade(upgrade)), Ok(request)) => {
            assert_eq!(upgrade.subprotocols, request.subprotocols);
            assert_eq!(upgrade.extensions, request.extensions);
            assert_eq!(upgrade.request.method(), request.request.method());
            assert_eq!(upgrade.request.headers(), request.request.headers());
            conn.accept(Accept::new()).expect("a request waits");
            let written = drain_output(&mut conn);
            let mut headers = [httparse::EMPTY_HEADER; 32];
            let mut head = httparse::Response::new(&mut headers);
            let parsed = head.parse(&written);
            assert!(matches!(parsed, Ok(httparse::Status::Complete(_))));
            assert_eq!(head.code, Some(101));
            let response = accepted.expect("accepted");
            let mut ours: Vec<(String, Vec<u8>)> = head
                .headers
                .iter()
                .map(|h| (h.name.to_ascii_lowercase(), h.value.to_vec()))
                .collect();
            let mut theirs: Vec<(String, Vec<u8>)> = response
                .headers()
                .iter()
                .map(|(name, value)| (name.as_str().to_owned(), value.as_bytes().to_vec()))
                .collect();
            ours.sort();
            theirs.sort();
            assert_eq!(
                ours, theirs,
                "the two entries answer with different 101 headers"
            );
        }
        (Some(Event::Closed(report)), Err(_)) => {
            assert!(matches!(report.cause, CloseCause::Handshake(_)));
        }
        // The byte path bounds what it buffers; an HTTP server's parser has its own limits.
        (Some(Event::Closed(report)), Ok(_))
            if matches!(
                report.cause,
                CloseCause::Handshake(
                    HandshakeError::StartLineTooLong { .. }
                        | HandshakeError::HeaderLineTooLong { .. }
                        | HandshakeError::TooManyHeaders { .. }
                        | HandshakeError::HeadTooLarge { .. }
                )
            ) => {}
        (event, parsed) => panic!(
            "byte path gave {event:?}, from_parts gave {:?}",
            parsed.as_ref().err()
        ),
    }
}
