//! wss:// on every runtime, both roles, with certificates made in the test: wsflow against
//! wsflow and against tokio-tungstenite, bad certificates, and a TLS peer that vanishes
//! without close_notify.

#![cfg(all(
    feature = "tokio",
    feature = "smol",
    feature = "async-std",
    feature = "ring"
))]

mod support;

use std::sync::Arc;

use futures_util::future::join;
use support::Pki;
use wsflow::{CloseCode, ConnectOptions, ConnectStep, Error};

/// The same wss echo on each runtime: `$ws` is the wsflow module, `$net` the runtime's
/// `net` module, `$block_on` runs a future.
macro_rules! wss_suite {
    ($module:ident, $ws:ident, $($net:ident)::+, $block_on:expr) => {
        mod $module {
            use super::*;

            #[test]
            fn echo_both_roles_and_clean_close() {
                let pki = Pki::new(&["localhost"]);
                ($block_on)(async {
                    let listener = $($net)::+::TcpListener::bind("127.0.0.1:0").await.unwrap();
                    let port = listener.local_addr().unwrap().port();
                    let server = async {
                        let (tcp, _) = listener.accept().await.unwrap();
                        let tls = wsflow::$ws::tls_accept(tcp, pki.server.clone()).await.unwrap();
                        assert!(tls.is_tls());
                        let mut ws = wsflow::$ws::accept(tls).await.unwrap();
                        // An error here would be a missing close_notify or a broken close.
                        while let Some(message) = ws.recv().await.unwrap() {
                            ws.send(message).await.unwrap();
                        }
                        ws.close_report().unwrap()
                    };
                    let client = async {
                        let options = ConnectOptions::new().tls_config(pki.client.clone());
                        let url = format!("wss://localhost:{port}/chat");
                        let mut ws = wsflow::$ws::connect_with(&url, &options).await.unwrap();
                        ws.send("over tls").await.unwrap();
                        let reply = ws.recv().await.unwrap().unwrap();
                        assert_eq!(reply.as_text(), Some("over tls"));
                        ws.close(CloseCode::NORMAL, "bye").await.unwrap()
                    };
                    let (server, client) = join(server, client).await;
                    assert!(server.was_clean(), "{server:?}");
                    assert!(client.was_clean(), "{client:?}");
                });
            }

            #[test]
            fn wrong_name_is_a_tls_error() {
                let pki = Pki::new(&["other.test"]);
                let error = ($block_on)(async {
                    let listener = $($net)::+::TcpListener::bind("127.0.0.1:0").await.unwrap();
                    let port = listener.local_addr().unwrap().port();
                    let server = async {
                        let (tcp, _) = listener.accept().await.unwrap();
                        let _ = wsflow::$ws::tls_accept(tcp, pki.server.clone()).await;
                    };
                    let options = ConnectOptions::new().tls_config(pki.client.clone());
                    let url = format!("wss://127.0.0.1:{port}/");
                    join(server, wsflow::$ws::connect_with(&url, &options)).await.1.err().unwrap()
                });
                let Error::Connect(error) = &error else { panic!("{error:?}") };
                assert_eq!(error.step(), ConnectStep::Tls);
                let source = error.io_error().unwrap().to_string();
                assert!(source.contains("not valid for name"), "{source}");
            }
        }
    };
}

wss_suite!(on_tokio, tokio, tokio::net, tokio_block_on);
wss_suite!(on_smol, smol, smol::net, smol::block_on);
wss_suite!(
    on_async_std,
    async_std,
    async_std::net,
    async_std::task::block_on
);

fn tokio_block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

/// Connects with `client` to a TLS server presenting `server`'s certificate; the client's
/// error.
fn tls_failure(server: &Pki, client: Arc<wsflow::tls::rustls::ClientConfig>, host: &str) -> Error {
    tokio_block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepting = async {
            let (tcp, _) = listener.accept().await.unwrap();
            let _ = wsflow::tokio::tls_accept(tcp, server.server.clone()).await;
        };
        let options = ConnectOptions::new().tls_config(client);
        let url = format!("wss://{host}:{port}/");
        join(accepting, wsflow::tokio::connect_with(&url, &options))
            .await
            .1
            .err()
            .unwrap()
    })
}

#[test]
fn unknown_ca_and_expired_certificates_are_clear_errors() {
    let server = Pki::new(&["localhost"]);
    let stranger = Pki::new(&["localhost"]);
    let error = tls_failure(&server, stranger.client.clone(), "localhost");
    let message = format!("{error}: {}", std::error::Error::source(&error).unwrap());
    assert!(
        message.starts_with("TLS handshake with localhost:"),
        "{message}"
    );
    assert!(message.contains("UnknownIssuer"), "{message}");

    let expired = Pki::expired(&["localhost"]);
    let error = tls_failure(&expired, expired.client.clone(), "localhost");
    let source = std::error::Error::source(&error).unwrap().to_string();
    assert!(source.contains("certificate expired"), "{source}");
}

#[test]
fn peer_dropping_tls_without_close_notify_is_an_io_error() {
    let pki = Pki::new(&["localhost"]);
    tokio_block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = async {
            let (tcp, _) = listener.accept().await.unwrap();
            let tls = wsflow::tokio::tls_accept(tcp, pki.server.clone())
                .await
                .unwrap();
            let ws = wsflow::tokio::accept(tls).await.unwrap();
            // Dropping the socket under TLS: a FIN with no close_notify before it.
            drop(ws);
        };
        let client = async {
            let options = ConnectOptions::new().tls_config(pki.client.clone());
            let url = format!("wss://localhost:{port}/");
            let mut ws = wsflow::tokio::connect_with(&url, &options).await.unwrap();
            ws.recv().await
        };
        let ((), received) = join(server, client).await;
        match received {
            Err(Error::Io(error)) => assert_eq!(error.kind(), std::io::ErrorKind::UnexpectedEof),
            other => panic!("expected a truncation error, got {other:?}"),
        }
    });
}

/// wsflow's client against a tokio-tungstenite server over tokio-rustls, and wsflow's
/// server against a tokio-tungstenite client.
#[test]
fn interoperates_with_tokio_tungstenite_over_tls() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message as TMessage;

    let pki = Pki::new(&["localhost"]);
    tokio_block_on(async {
        // tungstenite serves, wsflow connects.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = async {
            let (tcp, _) = listener.accept().await.unwrap();
            let acceptor = tokio_rustls::TlsAcceptor::from(pki.server.clone());
            let tls = acceptor.accept(tcp).await.unwrap();
            let mut ws = tokio_tungstenite::accept_async(tls).await.unwrap();
            while let Some(Ok(message)) = ws.next().await {
                if message.is_text() {
                    ws.send(message).await.unwrap();
                }
            }
            // tungstenite leaves the TLS close to its caller: close_notify, then FIN.
            tokio::io::AsyncWriteExt::shutdown(ws.get_mut())
                .await
                .unwrap();
        };
        let client = async {
            let options = ConnectOptions::new().tls_config(pki.client.clone());
            let url = format!("wss://localhost:{port}/");
            let mut ws = wsflow::tokio::connect_with(&url, &options).await.unwrap();
            ws.send("to tungstenite").await.unwrap();
            let reply = ws.recv().await.unwrap().unwrap();
            assert_eq!(reply.as_text(), Some("to tungstenite"));
            ws.close(CloseCode::NORMAL, "").await.unwrap()
        };
        let ((), report) = Box::pin(join(server, client)).await;
        assert!(report.was_clean(), "{report:?}");

        // wsflow serves, tungstenite connects.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = async {
            let (tcp, _) = listener.accept().await.unwrap();
            let tls = wsflow::tokio::tls_accept(tcp, pki.server.clone())
                .await
                .unwrap();
            let mut ws = wsflow::tokio::accept(tls).await.unwrap();
            while let Some(message) = ws.recv().await.unwrap() {
                ws.send(message).await.unwrap();
            }
            ws.close_report().unwrap()
        };
        let client = async {
            let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .unwrap();
            let connector = tokio_rustls::TlsConnector::from(pki.client.clone());
            let name = wsflow::tls::rustls::pki_types::ServerName::try_from("localhost").unwrap();
            let tls = connector.connect(name, tcp).await.unwrap();
            let url = format!("wss://localhost:{port}/");
            let (mut ws, _) = tokio_tungstenite::client_async(url, tls).await.unwrap();
            ws.send(TMessage::text("from tungstenite")).await.unwrap();
            let reply = ws.next().await.unwrap().unwrap();
            assert_eq!(reply.to_text().unwrap(), "from tungstenite");
            ws.close(None).await.unwrap();
            while ws.next().await.is_some() {}
            let _ = tokio::io::AsyncWriteExt::shutdown(ws.get_mut()).await;
        };
        let (report, ()) = join(server, client).await;
        assert!(report.was_clean(), "{report:?}");
    });
}
