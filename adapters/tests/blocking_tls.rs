//! wss:// on the blocking layer, both roles, with certificates made in the test: blocking
//! against blocking, against wsflow on tokio and against tokio-tungstenite; close_notify on
//! a clean close, bad certificates, a peer that vanishes without close_notify, the connect
//! deadline over TLS, and `split` refused over TLS.

#![cfg(all(feature = "tokio", feature = "ring"))]

mod support;

use std::io::ErrorKind;
use std::net::TcpListener;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use support::Pki;
use wsflow::blocking::{self, MaybeTlsStream};
use wsflow::{CloseCode, ConnectOptions, ConnectStep, Error};

/// A listener on loopback and its port.
fn listen() -> (TcpListener, u16) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    (listener, port)
}

/// Accepts one TLS connection with `pki`'s server config on a thread; `serve` gets the TLS
/// stream (or the handshake's error).
fn tls_server<T: Send + 'static>(
    listener: TcpListener,
    pki: &Pki,
    serve: impl FnOnce(std::io::Result<MaybeTlsStream>) -> T + Send + 'static,
) -> thread::JoinHandle<T> {
    let config = pki.server.clone();
    thread::spawn(move || {
        let (tcp, _) = listener.accept().unwrap();
        serve(blocking::tls_accept(tcp, config))
    })
}

fn connect(pki: &Pki, url: &str) -> Result<blocking::WebSocket<MaybeTlsStream>, Error> {
    blocking::connect_with(url, &ConnectOptions::new().tls_config(pki.client.clone()))
}

fn tokio_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn blocking_echo_over_tls_closes_cleanly_both_ways() {
    let pki = Pki::new(&["localhost"]);
    let (listener, port) = listen();
    let server = tls_server(listener, &pki, |tls| {
        let tls = tls.unwrap();
        assert!(tls.is_tls());
        let mut ws = blocking::accept(tls).unwrap();
        // An error here would be a missing close_notify or a broken close.
        while let Some(message) = ws.recv().unwrap() {
            ws.send(message).unwrap();
        }
        ws.close_report().unwrap()
    });
    let mut ws = connect(&pki, &format!("wss://localhost:{port}/chat")).unwrap();
    assert!(ws.get_ref().is_tls());
    for text in ["over tls", "twice"] {
        ws.send(text).unwrap();
        assert_eq!(ws.recv().unwrap().unwrap().as_text(), Some(text));
    }
    // A message larger than a TLS record (16 KiB) crosses several.
    let big = vec![7u8; 100_000];
    ws.send(big.clone()).unwrap();
    assert_eq!(ws.recv().unwrap().unwrap().as_bytes(), &big[..]);
    let report = ws.close(CloseCode::NORMAL, "bye").unwrap();
    assert!(report.was_clean(), "{report:?}");
    let server = server.join().unwrap();
    assert!(server.was_clean(), "{server:?}");
}

#[test]
fn blocking_client_against_wsflow_on_tokio() {
    let pki = Pki::new(&["localhost"]);
    let runtime = tokio_runtime();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    let config = pki.server.clone();
    let server = thread::spawn(move || {
        runtime.block_on(async {
            let (tcp, _) = listener.accept().await.unwrap();
            let tls = wsflow::tokio::tls_accept(tcp, config).await.unwrap();
            let mut ws = wsflow::tokio::accept(tls).await.unwrap();
            while let Some(message) = ws.recv().await.unwrap() {
                ws.send(message).await.unwrap();
            }
            ws.close_report().unwrap()
        })
    });
    let mut ws = connect(&pki, &format!("wss://localhost:{port}/")).unwrap();
    ws.send("to tokio").unwrap();
    assert_eq!(ws.recv().unwrap().unwrap().as_text(), Some("to tokio"));
    let report = ws.close(CloseCode::NORMAL, "").unwrap();
    assert!(report.was_clean(), "{report:?}");
    let server = server.join().unwrap();
    assert!(server.was_clean(), "{server:?}");
}

/// The blocking server against a tokio-tungstenite client over tokio-rustls, and the
/// blocking client against a tokio-tungstenite server; each tungstenite side then reads the
/// TLS stream to its end, which is a clean EOF only after the blocking side's close_notify.
#[test]
fn interoperates_with_tokio_tungstenite_and_sends_close_notify() {
    use futures_util::{SinkExt, StreamExt};
    use tokio::io::AsyncReadExt;
    use tokio_tungstenite::tungstenite::Message as TMessage;

    let pki = Pki::new(&["localhost"]);
    // wsflow's blocking server, tungstenite connects.
    let (listener, port) = listen();
    let server = tls_server(listener, &pki, |tls| {
        let mut ws = blocking::accept(tls.unwrap()).unwrap();
        while let Some(message) = ws.recv().unwrap() {
            ws.send(message).unwrap();
        }
        ws.close_report().unwrap()
    });
    let client = pki.client.clone();
    tokio_runtime().block_on(async {
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap();
        let name = wsflow::tls::rustls::pki_types::ServerName::try_from("localhost").unwrap();
        let tls = tokio_rustls::TlsConnector::from(client)
            .connect(name, tcp)
            .await
            .unwrap();
        let url = format!("wss://localhost:{port}/");
        let (mut ws, _) = tokio_tungstenite::client_async(url, tls).await.unwrap();
        ws.send(TMessage::text("from tungstenite")).await.unwrap();
        let reply = ws.next().await.unwrap().unwrap();
        assert_eq!(reply.to_text().unwrap(), "from tungstenite");
        ws.close(None).await.unwrap();
        while ws.next().await.is_some() {}
        let end = ws.get_mut().read(&mut [0; 16]).await;
        assert_eq!(end.unwrap(), 0, "close_notify before the FIN");
        let _ = tokio::io::AsyncWriteExt::shutdown(ws.get_mut()).await;
    });
    let report = server.join().unwrap();
    assert!(report.was_clean(), "{report:?}");

    // tungstenite serves, wsflow's blocking client connects.
    let runtime = tokio_runtime();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    let config = pki.server.clone();
    let server = thread::spawn(move || {
        runtime.block_on(async {
            let (tcp, _) = listener.accept().await.unwrap();
            let tls = tokio_rustls::TlsAcceptor::from(config)
                .accept(tcp)
                .await
                .unwrap();
            let mut ws = tokio_tungstenite::accept_async(tls).await.unwrap();
            while let Some(Ok(message)) = ws.next().await {
                if message.is_text() {
                    ws.send(message).await.unwrap();
                }
            }
            // tungstenite leaves the TLS close to its caller: close_notify, then FIN; then
            // the client's close_notify must come.
            tokio::io::AsyncWriteExt::shutdown(ws.get_mut())
                .await
                .unwrap();
            ws.get_mut().read(&mut [0; 16]).await
        })
    });
    let mut ws = connect(&pki, &format!("wss://localhost:{port}/")).unwrap();
    ws.send("to tungstenite").unwrap();
    assert_eq!(
        ws.recv().unwrap().unwrap().as_text(),
        Some("to tungstenite")
    );
    let report = ws.close(CloseCode::NORMAL, "").unwrap();
    assert!(report.was_clean(), "{report:?}");
    drop(ws);
    let end = server.join().unwrap();
    assert_eq!(end.unwrap(), 0, "the blocking client's close_notify");
}

/// Connects with `client` to a blocking TLS server presenting `server`'s certificate; the
/// client's error.
fn tls_failure(server: &Pki, client: Arc<wsflow::tls::rustls::ClientConfig>, host: &str) -> Error {
    let (listener, port) = listen();
    let accepting = tls_server(listener, server, drop);
    let options = ConnectOptions::new().tls_config(client);
    let error = blocking::connect_with(&format!("wss://{host}:{port}/"), &options).unwrap_err();
    accepting.join().unwrap();
    error
}

#[test]
fn bad_certificates_are_clear_tls_errors() {
    let pki = Pki::new(&["other.test"]);
    let error = tls_failure(&pki, pki.client.clone(), "127.0.0.1");
    let Error::Connect(connect) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(connect.step(), ConnectStep::Tls);
    let source = connect.io_error().unwrap().to_string();
    assert!(source.contains("not valid for name"), "{source}");

    let server = Pki::new(&["localhost"]);
    let stranger = Pki::new(&["localhost"]);
    let error = tls_failure(&server, stranger.client.clone(), "localhost");
    let message = format!("{error}: {}", std::error::Error::source(&error).unwrap());
    assert!(
        message.starts_with("TLS handshake with localhost:"),
        "{message}"
    );
    assert!(message.contains("UnknownIssuer"), "{message}");
}

#[test]
fn peer_dropping_tls_without_close_notify_is_an_io_error() {
    let pki = Pki::new(&["localhost"]);
    let (listener, port) = listen();
    let server = tls_server(listener, &pki, |tls| {
        let ws = blocking::accept(tls.unwrap()).unwrap();
        // Dropping the socket under TLS: a FIN with no close_notify before it.
        drop(ws);
    });
    let mut ws = connect(&pki, &format!("wss://localhost:{port}/")).unwrap();
    match ws.recv() {
        Err(Error::Io(error)) => assert_eq!(error.kind(), ErrorKind::UnexpectedEof),
        other => panic!("expected a truncation error, got {other:?}"),
    }
    server.join().unwrap();
}

#[test]
fn the_connect_deadline_covers_a_silent_tls_server() {
    let addr = support::silent_server();
    let options = ConnectOptions::new()
        .tls_config(Pki::new(&["localhost"]).client.clone())
        .connect_timeout(Duration::from_millis(300));
    let started = Instant::now();
    let url = format!("wss://localhost:{}/", addr.port());
    let error = blocking::connect_with(&url, &options).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(3));
    let Error::Connect(error) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(error.step(), ConnectStep::Tls);
    assert!(error.is_timeout(), "{error}");

    // Without TLS the same server runs the handshake's step out of time.
    let url = format!("ws://127.0.0.1:{}/", addr.port());
    let error = blocking::connect_with(&url, &options).unwrap_err();
    let Error::Connect(error) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(error.step(), ConnectStep::Handshake);
    assert!(error.is_timeout(), "{error}");
}

#[test]
fn a_stalled_tls_accept_runs_into_the_socket_timeout() {
    let pki = Pki::new(&["localhost"]);
    let (listener, port) = listen();
    let _silent = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let (tcp, _) = listener.accept().unwrap();
    tcp.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let error = blocking::tls_accept(tcp, pki.server.clone()).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::TimedOut, "{error}");
}

#[test]
fn split_over_tls_is_refused_clearly() {
    let pki = Pki::new(&["localhost"]);
    let (listener, port) = listen();
    let server = tls_server(listener, &pki, |tls| {
        let mut ws = blocking::accept(tls.unwrap()).unwrap();
        while ws.recv().is_ok_and(|message| message.is_some()) {}
    });
    let ws = connect(&pki, &format!("wss://localhost:{port}/")).unwrap();
    match ws.split() {
        Err(Error::Io(error)) => {
            assert_eq!(error.kind(), ErrorKind::Unsupported);
            assert!(error.to_string().contains("cannot be split"), "{error}");
        }
        other => panic!("expected Unsupported, got {:?}", other.map(|_| ())),
    }
    server.join().unwrap();
}

/// A plain `ws://` URL still gives a plain stream, which splits.
#[test]
fn plain_connects_give_a_plain_stream() {
    let (listener, port) = listen();
    let server = thread::spawn(move || {
        let (tcp, _) = listener.accept().unwrap();
        let mut ws = blocking::accept(tcp).unwrap();
        while ws.recv().is_ok_and(|message| message.is_some()) {}
    });
    let ws = blocking::connect(&format!("ws://127.0.0.1:{port}/")).unwrap();
    assert!(!ws.get_ref().is_tls());
    let (reader, writer) = ws.split().unwrap();
    writer.close(CloseCode::NORMAL, "").unwrap();
    drop((reader, writer));
    server.join().unwrap();
}
