//! The client's connect on every runtime: one deadline naming the step and the address,
//! HTTP CONNECT and SOCKS5 proxies (a loopback proxy in `support`), and redirects.

#![cfg(all(
    feature = "tokio",
    feature = "smol",
    feature = "async-std",
    feature = "ring"
))]

mod support;

use std::time::{Duration, Instant};

use futures_util::future::join;
use http::{HeaderValue, StatusCode, header};
use support::{Pki, ProxyKind};
use wsflow::{
    AcceptOptions, CloseCode, ConnectOptions, ConnectStep, Error, HandshakeError, Proxy, Reject,
    UpgradeRequest,
};

fn tokio_block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

/// The connect error inside `result`, or a panic.
fn connect_error<T>(result: Result<T, Error>) -> wsflow::ConnectError {
    match result {
        Err(Error::Connect(error)) => error,
        Err(other) => panic!("expected a connect error, got {other}"),
        Ok(_) => panic!("expected a connect error, got a connection"),
    }
}

fn header_of(request: &UpgradeRequest, name: header::HeaderName) -> Option<String> {
    let value = request.request.headers().get(name)?;
    Some(value.to_str().unwrap().to_owned())
}

macro_rules! connect_suite {
    ($module:ident, $ws:ident, $($net:ident)::+, $block_on:expr) => {
        mod $module {
            use super::*;

            /// Serves one echo connection on `listener`, over TLS with `tls`.
            async fn serve_one(
                listener: &$($net)::+::TcpListener,
                tls: Option<std::sync::Arc<wsflow::tls::rustls::ServerConfig>>,
            ) {
                let (tcp, _) = listener.accept().await.unwrap();
                let stream = match tls {
                    Some(config) => wsflow::$ws::tls_accept(tcp, config).await.unwrap(),
                    None => tcp.into(),
                };
                let mut ws = wsflow::$ws::accept(stream).await.unwrap();
                while let Some(message) = ws.recv().await.unwrap() {
                    ws.send(message).await.unwrap();
                }
            }

            #[test]
            fn deadline_names_step_and_address() {
                let silent = support::silent_server();
                ($block_on)(async {
                    let options = ConnectOptions::new().connect_timeout(Duration::from_millis(300));
                    let started = Instant::now();
                    let error = connect_error(
                        wsflow::$ws::connect_with(&format!("ws://{silent}/"), &options).await,
                    );
                    assert!(started.elapsed() < Duration::from_secs(3));
                    assert_eq!(error.step(), ConnectStep::Handshake);
                    assert!(error.is_timeout());
                    assert_eq!(error.addr(), silent.to_string());
                    let error = connect_error(
                        wsflow::$ws::connect_with(&format!("wss://{silent}/"), &options).await,
                    );
                    assert_eq!((error.step(), error.is_timeout()), (ConnectStep::Tls, true));
                    assert!(error.to_string().contains(&silent.to_string()), "{error}");
                    // No DNS here: the lookup of a reserved name fails or runs out of time.
                    let error = connect_error(
                        wsflow::$ws::connect_with("ws://no-such-host.invalid/", &options).await,
                    );
                    assert_eq!(error.step(), ConnectStep::Resolve);
                    assert_eq!(error.addr(), "no-such-host.invalid:80");
                });
            }

            #[test]
            fn through_http_and_socks5_proxies() {
                let pki = Pki::new(&["localhost"]);
                for (kind, proxy_kind, tls) in [
                    ("http", ProxyKind::Http, true),
                    ("socks5", ProxyKind::Socks5, false),
                    ("socks5", ProxyKind::Socks5, true),
                ] {
                    let proxy_addr = support::proxy(proxy_kind, 1);
                    let proxy = Proxy::parse(&format!("{kind}://user:pass@{proxy_addr}")).unwrap();
                    ($block_on)(async {
                        let listener = $($net)::+::TcpListener::bind("127.0.0.1:0").await.unwrap();
                        let port = listener.local_addr().unwrap().port();
                        let config = tls.then(|| pki.server.clone());
                        let scheme = if tls { "wss" } else { "ws" };
                        let options = ConnectOptions::new()
                            .proxy(proxy.clone())
                            .tls_config(pki.client.clone());
                        let url = format!("{scheme}://localhost:{port}/");
                        let client = async {
                            let mut ws = wsflow::$ws::connect_with(&url, &options).await.unwrap();
                            ws.send("via proxy").await.unwrap();
                            let reply = ws.recv().await.unwrap().unwrap();
                            assert_eq!(reply.as_text(), Some("via proxy"));
                            ws.close(CloseCode::NORMAL, "").await.unwrap()
                        };
                        let ((), report) = join(serve_one(&listener, config), client).await;
                        assert!(report.was_clean(), "{kind}: {report:?}");
                    });
                }
            }

            #[test]
            fn proxy_refusing_credentials_is_a_proxy_error() {
                for (kind, proxy_kind) in [("http", ProxyKind::Http), ("socks5", ProxyKind::Socks5)] {
                    let proxy_addr = support::proxy(proxy_kind, 1);
                    let proxy = Proxy::parse(&format!("{kind}://user:wrong@{proxy_addr}")).unwrap();
                    let error = ($block_on)(async {
                        let options = ConnectOptions::new().proxy(proxy);
                        connect_error(wsflow::$ws::connect_with("ws://127.0.0.1:9/", &options).await)
                    });
                    assert_eq!(error.step(), ConnectStep::Proxy);
                    assert_eq!(error.addr(), proxy_addr.to_string());
                    let kind = error.io_error().unwrap().kind();
                    assert_eq!(kind, std::io::ErrorKind::PermissionDenied);
                }
            }

            #[test]
            fn redirects_are_followed_when_asked_and_drop_credentials_across_origins() {
                ($block_on)(async {
                    // B accepts and reports the credentials it saw; A sends clients to B
                    // (another origin), and to its own /real first (the same origin).
                    let b = $($net)::+::TcpListener::bind("127.0.0.1:0").await.unwrap();
                    let b_port = b.local_addr().unwrap().port();
                    let a = $($net)::+::TcpListener::bind("127.0.0.1:0").await.unwrap();
                    let a_port = a.local_addr().unwrap().port();
                    let to_b = format!("ws://localhost:{b_port}/b");
                    let a_serves = async {
                        let mut seen = Vec::new();
                        for _ in 0..2 {
                            let (tcp, _) = a.accept().await.unwrap();
                            let result = wsflow::$ws::accept_with(tcp, &AcceptOptions::new(), |request: &UpgradeRequest| {
                                seen.push((request.request.uri().path().to_owned(), header_of(request, header::AUTHORIZATION)));
                                let target = if request.request.uri().path() == "/" { "/real" } else { to_b.as_str() };
                                Err(Reject::new(StatusCode::FOUND)
                                    .header(header::LOCATION, HeaderValue::from_str(target).unwrap()))
                            }).await;
                            assert!(matches!(result, Err(Error::Rejected(StatusCode::FOUND))));
                        }
                        seen
                    };
                    let b_serves = async {
                        let (tcp, _) = b.accept().await.unwrap();
                        let mut seen = None;
                        let mut ws = wsflow::$ws::accept_with(tcp, &AcceptOptions::new(), |request: &UpgradeRequest| {
                            seen = Some((header_of(request, header::AUTHORIZATION), header_of(request, header::COOKIE)));
                            Ok(wsflow::Accept::new())
                        }).await.unwrap();
                        while ws.recv().await.unwrap().is_some() {}
                        seen.unwrap()
                    };
                    let client = async {
                        let options = ConnectOptions::new()
                            .header(header::AUTHORIZATION, HeaderValue::from_static("Bearer t"))
                            .header(header::COOKIE, HeaderValue::from_static("s=1"))
                            .follow_redirects(true);
                        let url = format!("ws://127.0.0.1:{a_port}/");
                        let mut ws = wsflow::$ws::connect_with(&url, &options).await.unwrap();
                        ws.close(CloseCode::NORMAL, "").await.unwrap();
                    };
                    let ((a_seen, b_seen), ()) = join(join(a_serves, b_serves), client).await;
                    let bearer = Some("Bearer t".to_owned());
                    assert_eq!(a_seen, [("/".to_owned(), bearer.clone()), ("/real".to_owned(), bearer)]);
                    assert_eq!(b_seen, (None, None));
                });
            }

            #[test]
            fn redirects_are_errors_unless_asked() {
                ($block_on)(async {
                    let a = $($net)::+::TcpListener::bind("127.0.0.1:0").await.unwrap();
                    let port = a.local_addr().unwrap().port();
                    let serve = async {
                        let (tcp, _) = a.accept().await.unwrap();
                        let _ = wsflow::$ws::accept_with(tcp, &AcceptOptions::new(), |_: &UpgradeRequest| {
                            Err(Reject::new(StatusCode::MOVED_PERMANENTLY)
                                .header(header::LOCATION, HeaderValue::from_static("/elsewhere")))
                        }).await;
                    };
                    let url = format!("ws://127.0.0.1:{port}/");
                    let ((), result) = join(serve, wsflow::$ws::connect_with(&url, &ConnectOptions::new())).await;
                    match result {
                        Err(Error::Handshake(HandshakeError::UnexpectedStatus(response))) => {
                            assert_eq!(response.status(), StatusCode::MOVED_PERMANENTLY);
                        }
                        Err(other) => panic!("{other}"),
                        Ok(_) => panic!("connected"),
                    }
                });
            }
        }
    };
}

connect_suite!(on_tokio, tokio, tokio::net, tokio_block_on);
connect_suite!(on_smol, smol, smol::net, smol::block_on);
connect_suite!(
    on_async_std,
    async_std,
    async_std::net,
    async_std::task::block_on
);

/// The blocking layer's connect: the same proxy and redirect behaviour as the runtimes', with
/// servers on threads.
mod on_blocking {
    use super::*;
    use std::net::TcpListener;
    use std::thread;

    /// Serves one echo connection on `listener`, over TLS with `tls`.
    fn serve_one(
        listener: TcpListener,
        tls: Option<std::sync::Arc<wsflow::tls::rustls::ServerConfig>>,
    ) -> thread::JoinHandle<()> {
        thread::spawn(move || {
            let (tcp, _) = listener.accept().unwrap();
            let stream = match tls {
                Some(config) => wsflow::blocking::tls_accept(tcp, config).unwrap(),
                None => tcp.into(),
            };
            let mut ws = wsflow::blocking::accept(stream).unwrap();
            while let Some(message) = ws.recv().unwrap() {
                ws.send(message).unwrap();
            }
        })
    }

    #[test]
    fn through_http_and_socks5_proxies() {
        let pki = Pki::new(&["localhost"]);
        for (kind, proxy_kind, tls) in [
            ("http", ProxyKind::Http, false),
            ("http", ProxyKind::Http, true),
            ("socks5", ProxyKind::Socks5, false),
            ("socks5", ProxyKind::Socks5, true),
        ] {
            let proxy_addr = support::proxy(proxy_kind, 1);
            let proxy = Proxy::parse(&format!("{kind}://user:pass@{proxy_addr}")).unwrap();
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let port = listener.local_addr().unwrap().port();
            let server = serve_one(listener, tls.then(|| pki.server.clone()));
            let scheme = if tls { "wss" } else { "ws" };
            let options = ConnectOptions::new()
                .proxy(proxy)
                .tls_config(pki.client.clone());
            let url = format!("{scheme}://localhost:{port}/");
            let mut ws = wsflow::blocking::connect_with(&url, &options).unwrap();
            ws.send("via proxy").unwrap();
            assert_eq!(ws.recv().unwrap().unwrap().as_text(), Some("via proxy"));
            let report = ws.close(CloseCode::NORMAL, "").unwrap();
            assert!(report.was_clean(), "{kind} tls={tls}: {report:?}");
            server.join().unwrap();
        }
    }

    #[test]
    fn proxy_refusing_credentials_is_a_proxy_error() {
        for (kind, proxy_kind) in [("http", ProxyKind::Http), ("socks5", ProxyKind::Socks5)] {
            let proxy_addr = support::proxy(proxy_kind, 1);
            let proxy = Proxy::parse(&format!("{kind}://user:wrong@{proxy_addr}")).unwrap();
            let options = ConnectOptions::new().proxy(proxy);
            let error = connect_error(wsflow::blocking::connect_with(
                "ws://127.0.0.1:9/",
                &options,
            ));
            assert_eq!(error.step(), ConnectStep::Proxy);
            assert_eq!(error.addr(), proxy_addr.to_string());
            let kind = error.io_error().unwrap().kind();
            assert_eq!(kind, std::io::ErrorKind::PermissionDenied);
        }
    }

    #[test]
    fn redirects_are_followed_when_asked_and_drop_credentials_across_origins() {
        let b = TcpListener::bind("127.0.0.1:0").unwrap();
        let b_port = b.local_addr().unwrap().port();
        let a = TcpListener::bind("127.0.0.1:0").unwrap();
        let a_port = a.local_addr().unwrap().port();
        let to_b = format!("ws://localhost:{b_port}/b");
        let a_serves = thread::spawn(move || {
            let mut seen = Vec::new();
            for _ in 0..2 {
                let (tcp, _) = a.accept().unwrap();
                let result = wsflow::blocking::accept_with(
                    tcp,
                    &AcceptOptions::new(),
                    |request: &UpgradeRequest| {
                        let path = request.request.uri().path().to_owned();
                        seen.push((path.clone(), header_of(request, header::AUTHORIZATION)));
                        let target = if path == "/" { "/real" } else { to_b.as_str() };
                        Err(Reject::new(StatusCode::FOUND)
                            .header(header::LOCATION, HeaderValue::from_str(target).unwrap()))
                    },
                );
                assert!(matches!(result, Err(Error::Rejected(StatusCode::FOUND))));
            }
            seen
        });
        let b_serves = thread::spawn(move || {
            let (tcp, _) = b.accept().unwrap();
            let mut seen = None;
            let mut ws = wsflow::blocking::accept_with(
                tcp,
                &AcceptOptions::new(),
                |request: &UpgradeRequest| {
                    seen = Some((
                        header_of(request, header::AUTHORIZATION),
                        header_of(request, header::COOKIE),
                    ));
                    Ok(wsflow::Accept::new())
                },
            )
            .unwrap();
            while ws.recv().unwrap().is_some() {}
            seen.unwrap()
        });
        let options = ConnectOptions::new()
            .header(header::AUTHORIZATION, HeaderValue::from_static("Bearer t"))
            .header(header::COOKIE, HeaderValue::from_static("s=1"))
            .follow_redirects(true);
        let mut ws =
            wsflow::blocking::connect_with(&format!("ws://127.0.0.1:{a_port}/"), &options).unwrap();
        ws.close(CloseCode::NORMAL, "").unwrap();
        let bearer = Some("Bearer t".to_owned());
        assert_eq!(
            a_serves.join().unwrap(),
            [
                ("/".to_owned(), bearer.clone()),
                ("/real".to_owned(), bearer)
            ]
        );
        assert_eq!(b_serves.join().unwrap(), (None, None));
    }

    #[test]
    fn redirects_are_errors_unless_asked() {
        let a = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = a.local_addr().unwrap().port();
        let server = thread::spawn(move || {
            let (tcp, _) = a.accept().unwrap();
            let _ =
                wsflow::blocking::accept_with(tcp, &AcceptOptions::new(), |_: &UpgradeRequest| {
                    Err(Reject::new(StatusCode::MOVED_PERMANENTLY)
                        .header(header::LOCATION, HeaderValue::from_static("/elsewhere")))
                });
        });
        let url = format!("ws://127.0.0.1:{port}/");
        match wsflow::blocking::connect_with(&url, &ConnectOptions::new()) {
            Err(Error::Handshake(HandshakeError::UnexpectedStatus(response))) => {
                assert_eq!(response.status(), StatusCode::MOVED_PERMANENTLY);
            }
            Err(other) => panic!("{other}"),
            Ok(_) => panic!("connected"),
        }
        server.join().unwrap();
    }
}
