//! The `--http2` flags: `echo-server --http2` serves WebSockets over HTTP/2 and HTTP/1.1 on
//! one port on every async runtime (prior knowledge in cleartext, ALPN with TLS), and
//! `autobahn-client --http2` runs every case as a stream of one HTTP/2 connection; both
//! refuse the blocking runtime with exit code 2.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use wsflow::h2::{Connected, ServerConnection};
use wsflow::{CloseCode, ConnectOptions};

mod support;

use support::{Server, free_port, pem_files};

const ECHO_SERVER: &str = env!("CARGO_BIN_EXE_echo-server");
const AUTOBAHN_CLIENT: &str = env!("CARGO_BIN_EXE_autobahn-client");

fn start(args: &[&str]) -> (Server, String) {
    let mut child = Command::new(ECHO_SERVER)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    (Server(child), line)
}

fn tokio_block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

/// Connects with `wsflow::h2::tokio::connect`, echoes one message, closes; which HTTP
/// version carried it.
async fn echo_once(url: &str, options: &ConnectOptions) -> &'static str {
    let (mut ws, version) = match wsflow::h2::tokio::connect(url, options).await.unwrap() {
        Connected::Http2 {
            websocket, driver, ..
        } => {
            tokio::spawn(driver);
            let mut ws = websocket;
            ws.send("over h2").await.unwrap();
            assert_eq!(ws.recv().await.unwrap().unwrap().as_text(), Some("over h2"));
            assert!(ws.close(CloseCode::NORMAL, "").await.unwrap().was_clean());
            return "h2";
        }
        Connected::Http1(ws) => (ws, "http/1.1"),
    };
    ws.send("over h1").await.unwrap();
    assert_eq!(ws.recv().await.unwrap().unwrap().as_text(), Some("over h1"));
    assert!(ws.close(CloseCode::NORMAL, "").await.unwrap().was_clean());
    version
}

#[test]
fn echo_server_http2_serves_both_protocols_on_every_runtime() {
    let (ca, cert, key) = pem_files("h2");
    let tls = wsflow::tls::client_config_from_ca_file(&ca).unwrap();
    for runtime in ["tokio", "smol", "async-std"] {
        let port = free_port();
        let addr = format!("127.0.0.1:{port}");
        let (_server, line) = start(&["--runtime", runtime, "--addr", &addr, "--http2"]);
        assert!(line.contains("HTTP/2 and HTTP/1.1"), "{line}");
        tokio_block_on(async {
            let url = format!("ws://127.0.0.1:{port}/");
            assert_eq!(
                echo_once(&url, &ConnectOptions::new()).await,
                "h2",
                "{runtime}"
            );
            // The browser page, over HTTP/2.
            let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .unwrap();
            let (send, connection) = wsflow::h2::h2_crate::client::handshake(tcp).await.unwrap();
            tokio::spawn(connection);
            let page = http::Request::get(format!("http://127.0.0.1:{port}/"))
                .body(())
                .unwrap();
            let (response, _) = send
                .ready()
                .await
                .unwrap()
                .send_request(page, true)
                .unwrap();
            let response = response.await.unwrap();
            assert_eq!(response.status(), 200);
            assert_eq!(
                response.headers()["content-type"],
                "text/html; charset=utf-8"
            );
            // A plain HTTP/1.1 client on the same port.
            let mut ws = wsflow::tokio::connect(&url).await.unwrap();
            ws.send("h1").await.unwrap();
            assert_eq!(ws.recv().await.unwrap().unwrap().as_text(), Some("h1"));
            assert!(ws.close(CloseCode::NORMAL, "").await.unwrap().was_clean());
        });

        let port = free_port();
        let addr = format!("127.0.0.1:{port}");
        let (_server, line) = start(&[
            "--runtime",
            runtime,
            "--addr",
            &addr,
            "--http2",
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ]);
        assert!(line.contains("(wss)"), "{line}");
        tokio_block_on(async {
            let url = format!("wss://localhost:{port}/");
            let options = ConnectOptions::new().tls_config(tls.clone());
            assert_eq!(echo_once(&url, &options).await, "h2", "{runtime}");
            // The usual connect offers ALPN http/1.1 only: the same port answers it.
            let mut ws = wsflow::tokio::connect_with(&url, &options).await.unwrap();
            ws.send("h1 over tls").await.unwrap();
            let reply = ws.recv().await.unwrap().unwrap();
            assert_eq!(reply.as_text(), Some("h1 over tls"));
            assert!(ws.close(CloseCode::NORMAL, "").await.unwrap().was_clean());
        });
    }
}

#[test]
fn http2_is_refused_on_the_blocking_runtime() {
    let addr = format!("127.0.0.1:{}", free_port());
    let output = Command::new(ECHO_SERVER)
        .args(["--runtime", "blocking", "--addr", &addr, "--http2"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not supported"));
    let output = Command::new(AUTOBAHN_CLIENT)
        .args([
            "--runtime",
            "blocking",
            "--url",
            "ws://127.0.0.1:9/",
            "--agent",
            "x",
        ])
        .arg("--http2")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not supported"));
}

/// A fuzzing server in miniature, over HTTP/2: two cases (each sends one message and
/// expects it back), then the reports request. Returns how many TCP connections it took
/// and how many cases were echoed.
async fn mini_fuzzing_server(listener: tokio::net::TcpListener) -> (usize, usize) {
    let connections = Arc::new(AtomicUsize::new(0));
    let echoed = Arc::new(AtomicUsize::new(0));
    let (tcp, _) = listener.accept().await.unwrap();
    connections.fetch_add(1, Ordering::Relaxed);
    let accepting = {
        let connections = connections.clone();
        async move {
            loop {
                let _ = listener.accept().await;
                connections.fetch_add(1, Ordering::Relaxed);
            }
        }
    };
    let serving = async {
        let mut connection = ServerConnection::handshake(tcp).await.unwrap();
        let mut tasks = Vec::new();
        while let Some(Ok(request)) = connection.accept().await {
            let path = request.request().uri().path().to_owned();
            let mut ws = request
                .accept::<wsflow::tokio::TokioRuntime, _>(
                    &wsflow::AcceptOptions::new(),
                    wsflow::accept_any,
                )
                .unwrap();
            let echoed = echoed.clone();
            tasks.push(tokio::spawn(async move {
                match path.as_str() {
                    "/getCaseCount" => ws.send("2").await.unwrap(),
                    "/runCase" => {
                        ws.send("case").await.unwrap();
                        let reply = ws.recv().await.unwrap().unwrap();
                        assert_eq!(reply.as_text(), Some("case"));
                        echoed.fetch_add(1, Ordering::Relaxed);
                    }
                    _ => {}
                }
                ws.close(CloseCode::NORMAL, "").await.unwrap();
            }));
        }
        // The loop drove the connection until the client went away.
        for task in tasks {
            task.await.unwrap();
        }
    };
    tokio::select! {
        () = serving => {}
        () = accepting => {}
    }
    (
        connections.load(Ordering::Relaxed),
        echoed.load(Ordering::Relaxed),
    )
}

#[test]
fn autobahn_client_http2_runs_every_case_on_one_connection() {
    for runtime in ["tokio", "smol", "async-std"] {
        tokio_block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let port = listener.local_addr().unwrap().port();
            let url = format!("ws://127.0.0.1:{port}");
            let child = Command::new(AUTOBAHN_CLIENT)
                .args(["--runtime", runtime, "--url", &url, "--agent", "h2"])
                .arg("--http2")
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let (connections, echoed) = mini_fuzzing_server(listener).await;
            // The server is done once the client went away: the child has exited or is
            // about to.
            let output = child.wait_with_output().unwrap();
            let (status, stderr) = (output.status, String::from_utf8_lossy(&output.stderr));
            assert!(status.success(), "{runtime}: {stderr}");
            assert_eq!((connections, echoed), (1, 2), "{runtime}: {stderr}");
        });
    }
}
