//! `wsflow::axum::WebSocketUpgrade` in a real axum 0.8 router on 127.0.0.1: decisions from
//! the request's headers, the spawn-free `upgrade`, `Option<WebSocketUpgrade>` for plain
//! HTTP and WebSocket on one route, the connection's config, and rejections.

#![cfg(feature = "axum")]

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::{HeaderValue, StatusCode, header};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use wsflow::axum::WebSocketUpgrade;
use wsflow::hyper::HyperWebSocket;
use wsflow::{
    Accept, CloseCode, Config, ConnectOptions, Error, HandshakeError, Message, Reject,
    UpgradeRequest,
};

async fn echo(mut socket: HyperWebSocket) {
    while let Ok(Some(message)) = socket.recv().await {
        if socket.send(message).await.is_err() {
            break;
        }
    }
}

/// Only requests with `Authorization: Bearer ok` are accepted, with a cookie set.
fn authorized(request: &UpgradeRequest) -> Result<Accept, Reject> {
    let headers = request.request.headers();
    if headers
        .get(header::AUTHORIZATION)
        .is_some_and(|value| value == "Bearer ok")
    {
        Ok(Accept::new().header(header::SET_COOKIE, HeaderValue::from_static("seen=1")))
    } else {
        Err(Reject::new(StatusCode::UNAUTHORIZED)
            .header(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")))
    }
}

async fn private(ws: WebSocketUpgrade) -> Response {
    ws.on_upgrade_with(authorized, echo)
}

/// The spawn-free form: the handler spawns the future itself.
async fn manual(ws: WebSocketUpgrade) -> Response {
    let ws = ws.protocols(["two", "one"]);
    assert_eq!(
        ws.selected_protocol(),
        ws.request().subprotocols.first().map(String::as_str)
    );
    let (response, upgrade) = ws.upgrade();
    tokio::spawn(async move {
        if let Ok(socket) = upgrade.await {
            echo(socket).await;
        }
    });
    response
}

/// Plain HTTP and WebSocket on one route.
async fn both(ws: Option<WebSocketUpgrade>) -> Response {
    match ws {
        Some(ws) => ws.on_upgrade(echo),
        None => "plain".into_response(),
    }
}

/// Messages above 16 bytes are refused by this endpoint's config.
async fn small(ws: WebSocketUpgrade) -> Response {
    ws.config(Config::default().max_message_size(16))
        .on_upgrade(echo)
}

async fn serve() -> SocketAddr {
    let app = Router::new()
        .route("/private", get(private))
        .route("/manual", get(manual))
        .route("/both", get(both))
        .route("/small", get(small));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

async fn http_get(addr: SocketAddr, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(5), stream.read_to_string(&mut answer))
        .await
        .expect("answered in time")
        .unwrap();
    answer
}

async fn round_trip(ws: &mut wsflow::tokio::WebSocketStream, text: &'static str) {
    ws.send(text).await.unwrap();
    assert_eq!(ws.recv().await.unwrap(), Some(Message::text(text)));
}

#[tokio::test]
async fn the_decision_sees_the_headers_and_can_refuse() {
    let addr = serve().await;
    let url = format!("ws://{addr}/private");
    let error = wsflow::tokio::connect_with(&url, &ConnectOptions::new())
        .await
        .unwrap_err();
    let Error::Handshake(HandshakeError::UnexpectedStatus(response)) = error else {
        panic!("expected a 401, got {error:?}");
    };
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer");

    let options =
        ConnectOptions::new().header(header::AUTHORIZATION, HeaderValue::from_static("Bearer ok"));
    let mut ws = wsflow::tokio::connect_with(&url, &options).await.unwrap();
    let response = ws.opened().and_then(|opened| opened.response).unwrap();
    assert_eq!(response.headers()[header::SET_COOKIE], "seen=1");
    round_trip(&mut ws, "authorized").await;
    assert!(ws.close(CloseCode::NORMAL, "").await.unwrap().was_clean());
}

#[tokio::test]
async fn upgrade_without_spawn_and_protocol_choice_in_client_order() {
    let addr = serve().await;
    let url = format!("ws://{addr}/manual");
    let options = ConnectOptions::new().subprotocol("one").subprotocol("two");
    let mut ws = wsflow::tokio::connect_with(&url, &options).await.unwrap();
    assert_eq!(ws.subprotocol().as_deref(), Some("one"));
    round_trip(&mut ws, "manual").await;
}

#[tokio::test]
async fn optional_extractor_serves_plain_http_and_websocket_on_one_route() {
    let addr = serve().await;
    let answer = http_get(addr, "/both").await;
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(answer.ends_with("plain"), "{answer}");

    let mut ws = wsflow::tokio::connect(&format!("ws://{addr}/both"))
        .await
        .unwrap();
    round_trip(&mut ws, "both").await;

    // Asking for a WebSocket badly is still refused, not treated as plain HTTP.
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(
            b"GET /both HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
              Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: short\r\n\r\n",
        )
        .await
        .unwrap();
    let mut answer = vec![0u8; 1024];
    let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut answer))
        .await
        .unwrap()
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..n]);
    assert!(
        answer.starts_with("HTTP/1.1 400 Bad Request\r\n"),
        "{answer}"
    );
}

#[tokio::test]
async fn the_endpoints_config_governs_the_connection() {
    let addr = serve().await;
    let mut ws = wsflow::tokio::connect(&format!("ws://{addr}/small"))
        .await
        .unwrap();
    round_trip(&mut ws, "short").await;
    ws.send("far longer than sixteen bytes").await.unwrap();
    // The server fails the connection with 1009 (message too big); we see its close.
    let end = ws.recv().await;
    let report = ws.close_report().expect("the connection is over");
    assert_eq!(
        report.code,
        CloseCode::MESSAGE_TOO_BIG,
        "{end:?} {report:?}"
    );
}
