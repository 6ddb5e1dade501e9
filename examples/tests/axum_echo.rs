//! `axum-echo` as a process, talked to by real clients: wsflow on tokio (with a subprotocol
//! and permessage-deflate) and on smol, plain HTTP on both routes, and its command line.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use wsflow::{CloseCode, ConnectOptions, DeflateConfig, Message};

const AXUM_ECHO: &str = env!("CARGO_BIN_EXE_axum-echo");

/// A running `axum-echo`, killed when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(AXUM_ECHO)
            .args(["--addr", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start axum-echo");
        let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
        let mut line = String::new();
        stderr.read_line(&mut line).expect("read stderr");
        let addr = line
            .trim()
            .strip_prefix("axum-echo listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        // Keep draining stderr so the server never blocks on a full pipe.
        std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
        Server { child, addr }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One plain HTTP/1.1 request (`Connection: close`), the whole answer back.
fn http_get(addr: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read the answer");
    answer
}

#[test]
fn tokio_client_with_subprotocol_and_deflate() {
    let server = Server::start();
    let url = format!("ws://{}/ws", server.addr);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let options = ConnectOptions::new()
            .subprotocol("other")
            .subprotocol("echo")
            .deflate(DeflateConfig::default());
        let mut ws = wsflow::tokio::connect_with(&url, &options).await.unwrap();
        assert_eq!(ws.subprotocol().as_deref(), Some("echo"));
        let opened = ws.opened().unwrap();
        assert!(
            opened
                .extensions
                .iter()
                .any(|extension| extension.name == "permessage-deflate"),
            "{opened:?}"
        );
        let big = "echo me ".repeat(20_000);
        ws.send(big.clone()).await.unwrap();
        assert_eq!(ws.recv().await.unwrap(), Some(Message::text(big)));
        ws.send(Message::binary(vec![1u8, 2, 3])).await.unwrap();
        assert_eq!(
            ws.recv().await.unwrap(),
            Some(Message::binary(vec![1u8, 2, 3]))
        );
        let report = ws.close(CloseCode::NORMAL, "done").await.unwrap();
        assert!(report.was_clean(), "{report:?}");
    });
}

#[test]
fn smol_client_without_extras() {
    let server = Server::start();
    let url = format!("ws://{}/ws", server.addr);
    smol::block_on(async {
        let mut ws = wsflow::smol::connect(&url).await.unwrap();
        assert_eq!(ws.subprotocol(), None);
        assert!(ws.opened().unwrap().extensions.is_empty());
        ws.send("hello from smol").await.unwrap();
        assert_eq!(
            ws.recv().await.unwrap(),
            Some(Message::text("hello from smol"))
        );
        let report = ws.close(CloseCode::NORMAL, "").await.unwrap();
        assert!(report.was_clean(), "{report:?}");
    });
}

#[test]
fn plain_http_on_both_routes() {
    let server = Server::start();
    let page = http_get(&server.addr, "/");
    assert!(page.starts_with("HTTP/1.1 200 OK\r\n"), "{page}");
    assert!(page.contains("WebSocket echo"), "{page}");

    // Not an upgrade: the extractor answers with the core's 426 and its reason.
    let refused = http_get(&server.addr, "/ws");
    assert!(
        refused.starts_with("HTTP/1.1 426 Upgrade Required\r\n"),
        "{refused}"
    );
    assert!(
        refused
            .to_ascii_lowercase()
            .contains("upgrade: websocket\r\n"),
        "{refused}"
    );
    assert!(
        refused.ends_with("this endpoint only speaks WebSocket\n"),
        "{refused}"
    );
}

#[test]
fn an_unknown_flag_is_refused() {
    for args in [
        &["--addr", "127.0.0.1:0", "--bogus"][..],
        &["--addr"][..],
        &[][..],
    ] {
        let output = Command::new(AXUM_ECHO)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("run axum-echo");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("Usage:"), "{args:?}: {stderr}");
    }
}
