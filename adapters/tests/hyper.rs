//! `wsflow::hyper::upgrade` on a real hyper 1 server over 127.0.0.1: echo, subprotocol
//! choice, permessage-deflate, refusals with their statuses, and a client whose first frame
//! arrives in the same packet as its request.

#![cfg(feature = "hyper")]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Request, Response, StatusCode, header};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use wsflow::{
    Accept, AcceptOptions, CloseCode, ConnectOptions, DeflateConfig, Error, HandshakeError,
    Message, Reject, UpgradeRequest,
};

/// The server's decision: `/private` is refused with a 401; subprotocol `b` is preferred
/// over `a`, and nothing else is spoken.
fn decide(request: &UpgradeRequest) -> Result<Accept, Reject> {
    if request.request.uri().path() == "/private" {
        return Err(Reject::new(StatusCode::UNAUTHORIZED)
            .header(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))
            .body("log in first"));
    }
    let ours = ["b", "a"];
    let chosen = ours
        .iter()
        .find(|name| request.subprotocols.iter().any(|offered| offered == *name));
    Ok(chosen.map_or_else(Accept::new, |name| Accept::new().subprotocol(*name)))
}

/// One request: a plain page, or an upgrade whose WebSocket echoes every message. Nothing
/// to wait for: the echo runs in its own task once hyper has switched protocols.
fn handle(mut request: Request<Incoming>, options: &AcceptOptions) -> Response<Full<Bytes>> {
    if !wsflow::hyper::is_upgrade_request(&request) && request.uri().path() == "/" {
        return Response::new(Full::new(Bytes::from_static(b"plain page")));
    }
    match wsflow::hyper::upgrade(&mut request, options, decide) {
        Ok((response, upgrade)) => {
            tokio::spawn(async move {
                let mut ws = upgrade.await.expect("hyper upgrades the connection");
                while let Ok(Some(message)) = ws.recv().await {
                    if ws.send(message).await.is_err() {
                        break;
                    }
                }
            });
            response
        }
        Err(refusal) => refusal.into_response(),
    }
}

/// A hyper server with upgrades on 127.0.0.1, serving until the test's runtime ends.
async fn serve(options: AcceptOptions) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let options = options.clone();
            tokio::spawn(async move {
                let service = service_fn(move |request| {
                    std::future::ready(Ok::<_, Infallible>(handle(request, &options)))
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .with_upgrades()
                    .await;
            });
        }
    });
    addr
}

/// Sends raw bytes in one write and reads until the server closes or `expected` bytes came.
async fn raw_exchange(addr: SocketAddr, bytes: &[u8], until: impl Fn(&[u8]) -> bool) -> Vec<u8> {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.set_nodelay(true).unwrap();
    stream.write_all(bytes).await.unwrap();
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    while !until(&received) {
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf))
            .await
            .expect("the server answers in time")
            .unwrap();
        if n == 0 {
            break;
        }
        received.extend_from_slice(&buf[..n]);
    }
    received
}

fn head_end(bytes: &[u8]) -> Option<usize> {
    bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|at| at + 4)
}

#[tokio::test]
async fn echo_round_trip_and_clean_close() {
    let addr = serve(AcceptOptions::new()).await;
    let url = format!("ws://{addr}/echo");
    let mut ws = wsflow::tokio::connect_with(&url, &ConnectOptions::new())
        .await
        .unwrap();
    assert_eq!(ws.subprotocol(), None);
    ws.send("hello").await.unwrap();
    assert_eq!(ws.recv().await.unwrap(), Some(Message::text("hello")));
    ws.send(Message::binary(vec![0u8, 1, 2, 255]))
        .await
        .unwrap();
    assert_eq!(
        ws.recv().await.unwrap(),
        Some(Message::binary(vec![0u8, 1, 2, 255]))
    );
    let report = ws.close(CloseCode::NORMAL, "bye").await.unwrap();
    assert!(report.was_clean(), "{report:?}");
}

#[tokio::test]
async fn subprotocol_is_chosen_by_the_decision() {
    let addr = serve(AcceptOptions::new()).await;
    let url = format!("ws://{addr}/");
    let options = ConnectOptions::new().subprotocol("a").subprotocol("b");
    let mut ws = wsflow::tokio::connect_with(&url, &options).await.unwrap();
    assert_eq!(ws.subprotocol().as_deref(), Some("b"));
    let response = ws.opened().and_then(|opened| opened.response).unwrap();
    assert_eq!(response.headers()[header::SEC_WEBSOCKET_PROTOCOL], "b");
    ws.send("still echoes").await.unwrap();
    assert_eq!(
        ws.recv().await.unwrap(),
        Some(Message::text("still echoes"))
    );

    let options = ConnectOptions::new().subprotocol("c");
    let ws = wsflow::tokio::connect_with(&url, &options).await.unwrap();
    assert_eq!(ws.subprotocol(), None, "nothing in common: none chosen");
}

#[tokio::test]
async fn deflate_is_negotiated_when_the_server_allows_it() {
    let addr = serve(AcceptOptions::new().deflate(DeflateConfig::default())).await;
    let url = format!("ws://{addr}/");
    let options = ConnectOptions::new().deflate(DeflateConfig::default());
    let mut ws = wsflow::tokio::connect_with(&url, &options).await.unwrap();
    let opened = ws.opened().unwrap();
    assert!(
        opened
            .extensions
            .iter()
            .any(|extension| extension.name == "permessage-deflate"),
        "{opened:?}"
    );
    let big = "compressible ".repeat(10_000);
    ws.send(big.clone()).await.unwrap();
    assert_eq!(ws.recv().await.unwrap(), Some(Message::text(big)));

    // A server without deflate declines the same offer.
    let addr = serve(AcceptOptions::new()).await;
    let url = format!("ws://{addr}/");
    let ws = wsflow::tokio::connect_with(&url, &options).await.unwrap();
    assert!(ws.opened().unwrap().extensions.is_empty());
}

#[tokio::test]
async fn bad_requests_get_the_cores_error_responses() {
    let addr = serve(AcceptOptions::new()).await;
    let done = |bytes: &[u8]| head_end(bytes).is_some_and(|end| bytes.len() > end);

    // No key: 400 with the core's reason.
    let request = "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
                   Sec-WebSocket-Version: 13\r\n\r\n";
    let answer = String::from_utf8(raw_exchange(addr, request.as_bytes(), done).await).unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 400 Bad Request\r\n"),
        "{answer}"
    );
    assert!(answer.ends_with("invalid Sec-WebSocket-Key\n"), "{answer}");

    // Wrong version: 426 naming the version we speak.
    let request = "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
                   Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n";
    let answer = String::from_utf8(raw_exchange(addr, request.as_bytes(), done).await).unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 426 Upgrade Required\r\n"),
        "{answer}"
    );
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("sec-websocket-version: 13\r\n"),
        "{answer}"
    );

    // A plain GET on the WebSocket path: 426 Upgrade Required, saying what to upgrade to.
    let request = "GET /ws HTTP/1.1\r\nHost: x\r\n\r\n";
    let answer = String::from_utf8(raw_exchange(addr, request.as_bytes(), done).await).unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 426 Upgrade Required\r\n"),
        "{answer}"
    );
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("upgrade: websocket\r\n"),
        "{answer}"
    );

    // POST: 405 with Allow: GET.
    let request = "POST /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
                   Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
                   Content-Length: 0\r\n\r\n";
    let answer = String::from_utf8(raw_exchange(addr, request.as_bytes(), done).await).unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 405 Method Not Allowed\r\n"),
        "{answer}"
    );
    assert!(
        answer.to_ascii_lowercase().contains("allow: get\r\n"),
        "{answer}"
    );

    // The plain page next to it still works.
    let answer = raw_exchange(addr, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", done).await;
    assert!(answer.ends_with(b"plain page"));
}

#[tokio::test]
async fn the_applications_reject_reaches_the_client() {
    let addr = serve(AcceptOptions::new()).await;
    let url = format!("ws://{addr}/private");
    let error = wsflow::tokio::connect_with(&url, &ConnectOptions::new())
        .await
        .unwrap_err();
    let Error::Handshake(HandshakeError::UnexpectedStatus(response)) = error else {
        panic!("expected the 401, got {error:?}");
    };
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer");
}

#[tokio::test]
async fn first_frame_in_the_request_packet_is_not_lost() {
    let addr = serve(AcceptOptions::new()).await;
    let mut packet = b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
                       Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        .to_vec();
    // A masked text frame "hi" (FIN, opcode 1) right behind the head, in the same write.
    let mask = [0x37, 0xfa, 0x21, 0x3d];
    packet.extend_from_slice(&[0x81, 0x82]);
    packet.extend_from_slice(&mask);
    packet.extend(b"hi".iter().zip(mask.iter().cycle()).map(|(b, m)| b ^ m));
    let echoed = |bytes: &[u8]| head_end(bytes).is_some_and(|end| bytes.len() >= end + 4);
    let answer = raw_exchange(addr, &packet, echoed).await;
    let end = head_end(&answer).unwrap();
    let head = String::from_utf8_lossy(&answer[..end]);
    assert!(
        head.starts_with("HTTP/1.1 101 Switching Protocols\r\n"),
        "{head}"
    );
    assert!(head.contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), "{head}");
    assert_eq!(
        &answer[end..],
        &[0x81, 0x02, b'h', b'i'],
        "the echo of the early frame"
    );
}

#[tokio::test]
async fn a_request_not_from_hyper_is_refused_with_500() {
    let mut request = Request::get("/ws")
        .header(header::HOST, "x")
        .header(header::UPGRADE, "websocket")
        .header(header::CONNECTION, "upgrade")
        .header(header::SEC_WEBSOCKET_KEY, "dGhlIHNhbXBsZSBub25jZQ==")
        .header(header::SEC_WEBSOCKET_VERSION, "13")
        .body(())
        .unwrap();
    assert!(wsflow::hyper::is_upgrade_request(&request));
    let refusal = wsflow::hyper::upgrade(&mut request, &AcceptOptions::new(), decide).unwrap_err();
    assert_eq!(refusal.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(matches!(refusal.error(), Error::Io(_)));
    assert!(!wsflow::hyper::is_upgrade_request(
        &Request::get("/").body(()).unwrap()
    ));
}
