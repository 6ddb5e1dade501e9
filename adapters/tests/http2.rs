//! WebSockets over HTTP/2 (RFC 8441) on every runtime, both roles: cleartext with prior
//! knowledge and TLS with ALPN, many WebSockets on one connection, a reset stream that
//! leaves the others alone, flow control as backpressure (a stream that is not read does
//! not stall another), refusals with the right status, and the fall back to HTTP/1.1.

#![cfg(all(
    feature = "tokio",
    feature = "smol",
    feature = "async-std",
    feature = "http2",
    feature = "ring"
))]

mod support;

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::future::{Either, join_all, select};
use http::StatusCode;
use support::Pki;
use wsflow::h2::h2_crate;
use wsflow::h2::{Client, ServerConnection};
use wsflow::{
    Accept, AcceptOptions, ClientRequest, CloseCode, Config, ConnectOptions, Error, HandshakeError,
    Reject, Runtime, UpgradeRequest,
};

/// Any stream `h2` can run on, boxed so every runtime's (compat-wrapped) socket fits.
trait Io: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send> Io for T {}
type BoxIo = Box<dyn Io>;
type Task = Pin<Box<dyn Future<Output = ()> + Send>>;

/// What differs between runtimes: executor, sockets, TLS and `connect`.
trait Env: 'static {
    type R: Runtime + Send + Sync + 'static;
    fn block_on<F: Future>(future: F) -> F::Output;
    fn spawn(task: Task);
    /// A listener on a loopback port, and the port.
    fn listen() -> impl Future<Output = (Box<dyn Listener>, u16)>;
    fn dial(port: u16) -> impl Future<Output = BoxIo>;
    /// Connects with `wsflow::h2::<runtime>::connect`, echoes one message and closes;
    /// which HTTP version carried the WebSocket.
    fn connect_echo(url: String, options: ConnectOptions) -> impl Future<Output = &'static str>;
}

trait Listener: Send + Sync {
    /// The next connection, TLS if `tls` is given.
    fn accept(
        &self,
        tls: Option<Arc<wsflow::tls::rustls::ServerConfig>>,
    ) -> Pin<Box<dyn Future<Output = BoxIo> + Send + '_>>;
}

async fn timeout<R: Runtime, F: Future>(limit: Duration, future: F) -> Option<F::Output> {
    let timer = R::sleep_until(Instant::now() + limit);
    match select(std::pin::pin!(future), std::pin::pin!(timer)).await {
        Either::Left((output, _)) => Some(output),
        Either::Right(_) => None,
    }
}

/// What each server-side WebSocket ended with, by path.
type Log = Arc<Mutex<Vec<(String, Result<(), String>)>>>;

/// The test server on one HTTP/2 connection: `/forbidden` is refused with 403, `/sink`
/// never reads, everything else echoes; non-CONNECT requests get 404.
async fn serve<E: Env>(io: BoxIo, log: Log) {
    let mut connection = ServerConnection::handshake(io).await.unwrap();
    while let Some(request) = connection.accept().await {
        let Ok(request) = request else { break };
        if request.request().method() != http::Method::CONNECT {
            request.respond(StatusCode::NOT_FOUND);
            continue;
        }
        let path = request.request().uri().path().to_owned();
        let decide = |upgrade: &UpgradeRequest| -> Result<Accept, Reject> {
            if path == "/forbidden" {
                // HTTP/1.1-only fields are dropped, not a reason to leave the stream unanswered.
                return Err(Reject::new(StatusCode::FORBIDDEN)
                    .header(
                        http::HeaderName::from_static("keep-alive"),
                        http::HeaderValue::from_static("5"),
                    )
                    .body("no"));
            }
            match upgrade.subprotocols.iter().find(|name| *name == "chat") {
                Some(name) => Ok(Accept::new().subprotocol(name.clone())),
                None => Ok(Accept::new()),
            }
        };
        let Ok(mut ws) = request.accept::<E::R, _>(&AcceptOptions::new(), decide) else {
            continue;
        };
        let log = log.clone();
        E::spawn(Box::pin(async move {
            if path == "/sink" {
                // Holds the WebSocket without reading, long enough for the test.
                E::R::sleep_until(Instant::now() + Duration::from_secs(5)).await;
                return;
            }
            let outcome = loop {
                match ws.recv().await {
                    Ok(Some(message)) => {
                        if let Err(error) = ws.send(message).await {
                            break Err(error.to_string());
                        }
                    }
                    Ok(None) => break Ok(()),
                    Err(error) => break Err(error.to_string()),
                }
            };
            log.lock().unwrap().push((path, outcome));
        }));
    }
}

/// A prior-knowledge client on a fresh connection to `port`, its driver spawned.
async fn client<E: Env>(port: u16) -> Client {
    let (client, driver) = wsflow::h2::handshake(E::dial(port).await).await.unwrap();
    E::spawn(Box::pin(async move {
        let _ = driver.await;
    }));
    assert!(client.supports_websocket());
    client
}

fn request(port: u16, path: &str) -> ClientRequest {
    ClientRequest::new(&format!("ws://localhost:{port}{path}"))
        .unwrap()
        .subprotocol("chat")
}

/// A server for one HTTP/2 connection, spawned; its port and log.
async fn server<E: Env>(tls: Option<Arc<wsflow::tls::rustls::ServerConfig>>) -> (u16, Log) {
    let (listener, port) = E::listen().await;
    let log = Log::default();
    let server_log = log.clone();
    E::spawn(Box::pin(async move {
        let io = listener.accept(tls).await;
        serve::<E>(io, server_log).await;
    }));
    (port, log)
}

fn many_websockets_share_one_connection<E: Env>() {
    E::block_on(async {
        let (port, log) = server::<E>(None).await;
        let client = client::<E>(port).await;
        let sessions = (0..20).map(|i| {
            let client = client.clone();
            async move {
                let mut ws = client
                    .websocket::<E::R>(request(port, &format!("/echo/{i}")), Config::default())
                    .await
                    .unwrap();
                assert_eq!(ws.opened().unwrap().subprotocol.as_deref(), Some("chat"));
                for round in 0..5 {
                    let text = format!("stream {i} round {round}");
                    ws.send(text.clone()).await.unwrap();
                    let reply = ws.recv().await.unwrap().unwrap();
                    assert_eq!(reply.as_text(), Some(text.as_str()));
                }
                let report = ws.close(CloseCode::NORMAL, "done").await.unwrap();
                assert!(report.was_clean(), "{report:?}");
            }
        });
        timeout::<E::R, _>(Duration::from_secs(20), join_all(sessions))
            .await
            .expect("the WebSockets finished");
        // The server's ends see clean closes too.
        let deadline = Instant::now() + Duration::from_secs(5);
        while log.lock().unwrap().len() < 20 && Instant::now() < deadline {
            E::R::sleep_until(Instant::now() + Duration::from_millis(10)).await;
        }
        let log = log.lock().unwrap();
        assert_eq!(log.len(), 20);
        assert!(log.iter().all(|(_, outcome)| outcome.is_ok()), "{log:?}");
    });
}

fn reset_stream_leaves_the_others_alone<E: Env>() {
    E::block_on(async {
        let (port, log) = server::<E>(None).await;
        let client = client::<E>(port).await;
        let open =
            |path: &'static str| client.websocket::<E::R>(request(port, path), Config::default());
        let mut doomed = open("/reset").await.unwrap();
        let mut other = open("/echo").await.unwrap();
        doomed.send("before").await.unwrap();
        assert_eq!(
            doomed.recv().await.unwrap().unwrap().as_text(),
            Some("before")
        );
        doomed.abort();
        drop(doomed); // RST_STREAM(CANCEL)
        other.send("still here").await.unwrap();
        let reply = timeout::<E::R, _>(Duration::from_secs(5), other.recv()).await;
        assert_eq!(
            reply.unwrap().unwrap().unwrap().as_text(),
            Some("still here")
        );
        let mut late = open("/late").await.unwrap();
        late.send("new stream").await.unwrap();
        assert_eq!(
            late.recv().await.unwrap().unwrap().as_text(),
            Some("new stream")
        );
        // The server's WebSocket on the reset stream ended with an error, the others did not.
        let deadline = Instant::now() + Duration::from_secs(5);
        while !log.lock().unwrap().iter().any(|(path, _)| path == "/reset")
            && Instant::now() < deadline
        {
            E::R::sleep_until(Instant::now() + Duration::from_millis(10)).await;
        }
        let reset = log
            .lock()
            .unwrap()
            .iter()
            .find(|(p, _)| p == "/reset")
            .cloned();
        assert!(matches!(reset, Some((_, Err(_)))), "{reset:?}");
        assert!(
            other
                .close(CloseCode::NORMAL, "")
                .await
                .unwrap()
                .was_clean()
        );
        assert!(late.close(CloseCode::NORMAL, "").await.unwrap().was_clean());
    });
}

fn slow_reader_does_not_stall_other_streams<E: Env>() {
    E::block_on(async {
        let (port, _log) = server::<E>(None).await;
        let client = client::<E>(port).await;
        let mut sink = client
            .websocket::<E::R>(request(port, "/sink"), Config::default())
            .await
            .unwrap();
        let chunk = vec![7u8; 16 * 1024];
        let mut sent = 0usize;
        let stalled = loop {
            let send = sink.send(chunk.clone());
            match timeout::<E::R, _>(Duration::from_millis(300), send).await {
                Some(result) => {
                    result.unwrap();
                    sent += chunk.len();
                }
                None => break true,
            }
            if sent > 32 * 1024 * 1024 {
                break false;
            }
        };
        // The stream's window (64 KiB), h2's buffer and the driver's write buffer: a few MiB
        // at most, never the 32 MiB a missing backpressure would let through.
        assert!(stalled, "sent {sent} bytes to a reader that never reads");
        let mut echo = client
            .websocket::<E::R>(request(port, "/echo"), Config::default())
            .await
            .unwrap();
        echo.send("unaffected").await.unwrap();
        let reply = timeout::<E::R, _>(Duration::from_secs(5), echo.recv()).await;
        assert_eq!(
            reply.unwrap().unwrap().unwrap().as_text(),
            Some("unaffected")
        );
    });
}

/// Sends a raw extended CONNECT (or another request) and returns the status.
async fn raw_status<E: Env>(
    client: &Client,
    port: u16,
    method: http::Method,
    protocol: Option<&'static str>,
    version: &str,
) -> StatusCode {
    let _ = client;
    let (mut send, driver) = h2_crate::client::handshake(E::dial(port).await)
        .await
        .unwrap();
    E::spawn(Box::pin(async move {
        let _ = driver.await;
    }));
    let mut request = http::Request::builder()
        .method(method)
        .uri(format!("http://localhost:{port}/raw"))
        .header("sec-websocket-version", version)
        .body(())
        .unwrap();
    if let Some(protocol) = protocol {
        request
            .extensions_mut()
            .insert(h2_crate::ext::Protocol::from_static(protocol));
    }
    send = send.ready().await.unwrap();
    let (response, _stream) = send.send_request(request, false).unwrap();
    response.await.unwrap().status()
}

fn refusals_have_the_right_status<E: Env>() {
    E::block_on(async {
        let (listener, port) = E::listen().await;
        let log = Log::default();
        E::spawn(Box::pin(async move {
            loop {
                let io = listener.accept(None).await;
                E::spawn(Box::pin(serve::<E>(io, log.clone())));
            }
        }));
        let client = client::<E>(port).await;
        let refused = client
            .websocket::<E::R>(request(port, "/forbidden"), Config::default())
            .await
            .unwrap_err();
        assert!(
            matches!(&refused, Error::Handshake(HandshakeError::UnexpectedStatus(r)) if r.status() == 403),
            "{refused:?}"
        );
        let connect = http::Method::CONNECT;
        let status = raw_status::<E>(&client, port, connect.clone(), Some("websocket"), "8").await;
        assert_eq!(status, StatusCode::UPGRADE_REQUIRED);
        let status = raw_status::<E>(&client, port, connect.clone(), Some("chat"), "13").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let status = raw_status::<E>(&client, port, http::Method::GET, None, "13").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let status = raw_status::<E>(&client, port, connect, Some("websocket"), "13").await;
        assert_eq!(status, StatusCode::OK);
    });
}

/// A server whose HTTP/2 does not advertise extended CONNECT on its first connection (the
/// client must not try), then HTTP/1.1 on the next.
fn falls_back_to_http1<E: Env>() {
    E::block_on(async {
        // 1. HTTP/2 without the setting, over cleartext.
        let (listener, port) = E::listen().await;
        E::spawn(Box::pin(async move {
            let io = listener.accept(None).await;
            let mut h2 = h2_crate::server::handshake(io).await.unwrap();
            while let Some(Ok((_, mut respond))) = h2.accept().await {
                let response = http::Response::builder().status(500).body(()).unwrap();
                let _ = respond.send_response(response, true);
            }
            http1_echo::<E>(listener).await;
        }));
        let url = format!("ws://127.0.0.1:{port}/");
        assert_eq!(
            E::connect_echo(url, ConnectOptions::new()).await,
            "http/1.1"
        );

        // 2. TLS that negotiates http/1.1 only: the upgrade runs on that same connection.
        let pki = Pki::new(&["localhost"]);
        let (listener, port) = E::listen().await;
        let config = pki.server.clone();
        let accepts = Arc::new(AtomicUsize::new(0));
        let counted = accepts.clone();
        E::spawn(Box::pin(async move {
            http1_echo_counting::<E>(listener, Some(config), counted).await;
        }));
        let options = ConnectOptions::new().tls_config(pki.client.clone());
        let url = format!("wss://localhost:{port}/");
        assert_eq!(E::connect_echo(url, options).await, "http/1.1");
        assert_eq!(accepts.load(Ordering::SeqCst), 1, "one TLS connection");
    });
}

/// `connect` with a proxy: the HTTP/2 attempt goes through the proxy's tunnel too, and the
/// WebSocket runs over HTTP/2 on that one tunnel.
fn goes_through_the_proxy<E: Env>() {
    E::block_on(async {
        let pki = Pki::new(&["localhost"]);
        let mut config = (*pki.server).clone();
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        let (port, _log) = server::<E>(Some(Arc::new(config))).await;
        let (proxy, tunnels) = support::proxy_with_log(support::ProxyKind::Http, 1);
        let options = ConnectOptions::new()
            .tls_config(pki.client.clone())
            .proxy(wsflow::Proxy::http("127.0.0.1", proxy.port()).auth("user", "pass"));
        let url = format!("wss://localhost:{port}/proxied");
        assert_eq!(E::connect_echo(url, options).await, "h2");
        assert_eq!(
            *tunnels.lock().unwrap(),
            vec![format!("localhost:{port}")],
            "one tunnel, to the server"
        );
    });
}

/// TLS with ALPN `h2`, through `connect`.
fn tls_with_alpn_h2<E: Env>() {
    E::block_on(async {
        let pki = Pki::new(&["localhost"]);
        let mut config = (*pki.server).clone();
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        let (port, log) = server::<E>(Some(Arc::new(config))).await;
        let options = ConnectOptions::new().tls_config(pki.client.clone());
        let url = format!("wss://localhost:{port}/tls");
        assert_eq!(E::connect_echo(url, options).await, "h2");
        let deadline = Instant::now() + Duration::from_secs(5);
        while log.lock().unwrap().is_empty() && Instant::now() < deadline {
            E::R::sleep_until(Instant::now() + Duration::from_millis(10)).await;
        }
        assert!(matches!(log.lock().unwrap().first(), Some((_, Ok(())))));
    });
}

macro_rules! echo_once {
    ($ws:expr) => {{
        let mut ws = $ws;
        ws.send("hello").await.unwrap();
        assert_eq!(ws.recv().await.unwrap().unwrap().as_text(), Some("hello"));
        assert!(ws.close(CloseCode::NORMAL, "").await.unwrap().was_clean());
    }};
}

/// The runtime's `connect` over whichever HTTP version the server took.
macro_rules! connect_echo {
    ($rt:ident, $url:expr, $options:expr) => {{
        match wsflow::h2::$rt::connect(&$url, &$options).await.unwrap() {
            wsflow::h2::Connected::Http2 {
                websocket, driver, ..
            } => {
                Self::spawn(Box::pin(async move {
                    let _ = driver.await;
                }));
                echo_once!(websocket);
                "h2"
            }
            wsflow::h2::Connected::Http1(websocket) => {
                echo_once!(websocket);
                "http/1.1"
            }
        }
    }};
}

/// Tokio.
struct OnTokio;

struct TokioListener(tokio::net::TcpListener);

impl Listener for TokioListener {
    fn accept(
        &self,
        tls: Option<Arc<wsflow::tls::rustls::ServerConfig>>,
    ) -> Pin<Box<dyn Future<Output = BoxIo> + Send + '_>> {
        Box::pin(async move {
            let (tcp, _) = self.0.accept().await.unwrap();
            match tls {
                Some(config) => {
                    Box::new(wsflow::tokio::tls_accept(tcp, config).await.unwrap()) as BoxIo
                }
                None => Box::new(tcp),
            }
        })
    }
}

impl Env for OnTokio {
    type R = wsflow::tokio::TokioRuntime;
    fn block_on<F: Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(future)
    }
    fn spawn(task: Task) {
        tokio::spawn(task);
    }
    async fn listen() -> (Box<dyn Listener>, u16) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        (Box::new(TokioListener(listener)), port)
    }
    async fn dial(port: u16) -> BoxIo {
        Box::new(
            tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .unwrap(),
        )
    }
    async fn connect_echo(url: String, options: ConnectOptions) -> &'static str {
        connect_echo!(tokio, url, options)
    }
}

/// smol and async-std, which share `futures-io` and the compat wrapper.
macro_rules! futures_env {
    ($env:ident, $listener:ident, $rt:ident, $net:path, $block_on:path, $spawn:expr) => {
        struct $env;

        struct $listener(<$net as NetTypes>::Listener);

        impl Listener for $listener {
            fn accept(
                &self,
                tls: Option<Arc<wsflow::tls::rustls::ServerConfig>>,
            ) -> Pin<Box<dyn Future<Output = BoxIo> + Send + '_>> {
                Box::pin(async move {
                    let (tcp, _) = self.0.accept().await.unwrap();
                    match tls {
                        Some(config) => {
                            let tls = wsflow::$rt::tls_accept(tcp, config).await.unwrap();
                            Box::new(wsflow::h2::compat(tls)) as BoxIo
                        }
                        None => Box::new(wsflow::h2::compat(tcp)),
                    }
                })
            }
        }

        impl Env for $env {
            type R = wsflow::$rt::AsyncIoRuntime;
            fn block_on<F: Future>(future: F) -> F::Output {
                $block_on(future)
            }
            fn spawn(task: Task) {
                ($spawn)(task);
            }
            async fn listen() -> (Box<dyn Listener>, u16) {
                let listener = <$net as NetTypes>::Listener::bind("127.0.0.1:0")
                    .await
                    .unwrap();
                let port = listener.local_addr().unwrap().port();
                (Box::new($listener(listener)), port)
            }
            async fn dial(port: u16) -> BoxIo {
                let tcp = <$net as NetTypes>::Stream::connect(("127.0.0.1", port))
                    .await
                    .unwrap();
                Box::new(wsflow::h2::compat(tcp))
            }
            async fn connect_echo(url: String, options: ConnectOptions) -> &'static str {
                connect_echo!($rt, url, options)
            }
        }
    };
}

trait NetTypes {
    type Listener;
    type Stream;
}
struct SmolNet;
impl NetTypes for SmolNet {
    type Listener = smol::net::TcpListener;
    type Stream = smol::net::TcpStream;
}
struct AsyncStdNet;
impl NetTypes for AsyncStdNet {
    type Listener = async_std::net::TcpListener;
    type Stream = async_std::net::TcpStream;
}

futures_env!(
    OnSmol,
    SmolListener,
    smol,
    SmolNet,
    smol::block_on,
    |task| smol::spawn(task).detach()
);
futures_env!(
    OnAsyncStd,
    AsyncStdListener,
    async_std,
    AsyncStdNet,
    async_std::task::block_on,
    |task| drop(async_std::task::spawn(task))
);

/// An HTTP/1.1 echo server for the next connection on `listener` (a prior-knowledge HTTP/2
/// attempt that reaches it first just fails its handshake, so it serves until one succeeds).
async fn http1_echo<E: Env>(listener: Box<dyn Listener>) {
    http1_echo_tls::<E>(listener, None).await;
}

async fn http1_echo_tls<E: Env>(
    listener: Box<dyn Listener>,
    config: Option<Arc<wsflow::tls::rustls::ServerConfig>>,
) {
    http1_echo_counting::<E>(listener, config, Arc::default()).await;
}

/// [`http1_echo_tls`], counting the connections it accepted in `accepts`.
async fn http1_echo_counting<E: Env>(
    listener: Box<dyn Listener>,
    config: Option<Arc<wsflow::tls::rustls::ServerConfig>>,
    accepts: Arc<AtomicUsize>,
) {
    loop {
        let io = listener.accept(config.clone()).await;
        accepts.fetch_add(1, Ordering::SeqCst);
        let transport = wsflow::tokio::TokioIo(io);
        let accepted = wsflow::WebSocket::<_, E::R>::server(
            transport,
            &AcceptOptions::new(),
            wsflow::accept_any,
        )
        .await;
        let Ok(mut ws) = accepted else { continue };
        while let Ok(Some(message)) = ws.recv().await {
            if ws.send(message).await.is_err() {
                break;
            }
        }
        return;
    }
}

macro_rules! suite {
    ($module:ident, $env:ty) => {
        mod $module {
            use super::*;

            #[test]
            fn many_websockets_share_one_connection() {
                super::many_websockets_share_one_connection::<$env>();
            }

            #[test]
            fn reset_stream_leaves_the_others_alone() {
                super::reset_stream_leaves_the_others_alone::<$env>();
            }

            #[test]
            fn slow_reader_does_not_stall_other_streams() {
                super::slow_reader_does_not_stall_other_streams::<$env>();
            }

            #[test]
            fn refusals_have_the_right_status() {
                super::refusals_have_the_right_status::<$env>();
            }

            #[test]
            fn falls_back_to_http1() {
                super::falls_back_to_http1::<$env>();
            }

            #[test]
            fn tls_with_alpn_h2() {
                super::tls_with_alpn_h2::<$env>();
            }

            #[test]
            fn goes_through_the_proxy() {
                super::goes_through_the_proxy::<$env>();
            }
        }
    };
}

suite!(on_tokio, OnTokio);
suite!(on_smol, OnSmol);
suite!(on_async_std, OnAsyncStd);

/// Against an independent implementation: `conformance/h2/peer.py` on Python's `h2` package.
/// The interpreter is `WSFLOW_H2_PYTHON` (the README's test command sets it up), else the
/// venv under `target/` if it has `h2`; without either the tests say so and pass.
mod python_peer {
    use super::*;
    use std::io::{BufRead, BufReader};
    use std::path::PathBuf;
    use std::process::{Command, Stdio};

    fn root() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
    }

    fn python() -> Option<PathBuf> {
        if let Some(python) = std::env::var_os("WSFLOW_H2_PYTHON") {
            return Some(PathBuf::from(python));
        }
        let venv = root().join("target/autobahn-venv/bin/python");
        let has_h2 = Command::new(&venv)
            .args(["-c", "import h2"])
            .status()
            .is_ok_and(|status| status.success());
        if has_h2 {
            Some(venv)
        } else {
            // The test command installs the peer; CI must never pass by skipping it.
            assert!(
                std::env::var_os("CI").is_none(),
                "no Python with the h2 package: run conformance/test-all.sh or set WSFLOW_H2_PYTHON"
            );
            eprintln!("skipped: no Python with the h2 package (set WSFLOW_H2_PYTHON)");
            None
        }
    }

    fn peer() -> PathBuf {
        root().join("conformance/h2/peer.py")
    }

    #[test]
    fn python_client_against_wsflow_server() {
        let Some(python) = python() else { return };
        OnTokio::block_on(async {
            let (port, log) = server::<OnTokio>(None).await;
            let output = tokio::task::spawn_blocking(move || {
                Command::new(python)
                    .arg(peer())
                    .args(["client", &port.to_string()])
                    .output()
                    .unwrap()
            })
            .await
            .unwrap();
            let stdout = String::from_utf8_lossy(&output.stdout);
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(output.status.success(), "{stdout}{stderr}");
            assert!(stdout.starts_with("ok:"), "{stdout}");
            let deadline = Instant::now() + Duration::from_secs(5);
            while log.lock().unwrap().len() < 2 && Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            let log = log.lock().unwrap();
            assert_eq!(log.len(), 2, "{log:?}");
            assert!(log.iter().all(|(_, outcome)| outcome.is_ok()), "{log:?}");
        });
    }

    #[test]
    fn wsflow_client_against_python_server() {
        let Some(python) = python() else { return };
        let mut child = Command::new(python)
            .arg(peer())
            .arg("server")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let port: u16 = line.trim().parse().unwrap();
        OnTokio::block_on(async {
            let options = ConnectOptions::new().subprotocol("chat");
            let url = format!("ws://127.0.0.1:{port}/python");
            let connected = wsflow::h2::tokio::connect(&url, &options).await.unwrap();
            let wsflow::h2::Connected::Http2 {
                websocket: mut ws,
                driver,
                ..
            } = connected
            else {
                panic!("the Python peer speaks HTTP/2 with extended CONNECT");
            };
            let driver = tokio::spawn(driver);
            assert_eq!(ws.opened().unwrap().subprotocol.as_deref(), Some("chat"));
            let big = "x".repeat(100_000);
            for text in ["hello, python", big.as_str()] {
                ws.send(text.to_owned()).await.unwrap();
                let reply = ws.recv().await.unwrap().unwrap();
                assert_eq!(reply.as_text(), Some(text));
            }
            let report = ws.close(CloseCode::NORMAL, "bye").await.unwrap();
            assert!(report.was_clean(), "{report:?}");
            // With every handle gone, the connection ends gracefully (GOAWAY) once the
            // stream's END_STREAM is out.
            drop(ws);
            let ended = tokio::time::timeout(Duration::from_secs(5), driver).await;
            ended.unwrap().unwrap().unwrap();
        });
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
        let status = child.wait().unwrap();
        assert!(status.success(), "{rest}");
        assert!(rest.starts_with("ok: served 1"), "{rest}");
    }
}

/// The client's own failures: a server without extended CONNECT, and one that never answers.
mod client_errors {
    use super::*;
    use wsflow::HandshakeLimits;

    /// A raw `h2` server (extended CONNECT as `enable`) that takes requests and never
    /// answers them.
    async fn silent_h2_server(enable: bool) -> u16 {
        let (listener, port) = OnTokio::listen().await;
        tokio::spawn(async move {
            let io = listener.accept(None).await;
            let mut builder = h2_crate::server::Builder::new();
            if enable {
                builder.enable_connect_protocol();
            }
            let mut h2 = builder.handshake::<_, bytes::Bytes>(io).await.unwrap();
            let mut held = Vec::new();
            while let Some(Ok(request)) = h2.accept().await {
                held.push(request);
            }
        });
        port
    }

    #[test]
    fn no_extended_connect_no_websocket() {
        OnTokio::block_on(async {
            let port = silent_h2_server(false).await;
            let (client, driver) = wsflow::h2::handshake(OnTokio::dial(port).await)
                .await
                .unwrap();
            tokio::spawn(driver);
            assert!(!client.supports_websocket());
            let error = client
                .websocket::<wsflow::tokio::TokioRuntime>(request(port, "/"), Config::default())
                .await
                .unwrap_err();
            assert!(
                matches!(
                    error,
                    Error::Handshake(HandshakeError::ExtendedConnectDisabled)
                ),
                "{error:?}"
            );
        });
    }

    #[test]
    fn an_unanswered_connect_times_out() {
        OnTokio::block_on(async {
            let port = silent_h2_server(true).await;
            let (client, driver) = wsflow::h2::handshake(OnTokio::dial(port).await)
                .await
                .unwrap();
            tokio::spawn(driver);
            let mut limits = HandshakeLimits::default();
            limits.timeout = Duration::from_millis(200);
            let started = Instant::now();
            let error = client
                .websocket::<wsflow::tokio::TokioRuntime>(
                    request(port, "/").limits(limits),
                    Config::default(),
                )
                .await
                .unwrap_err();
            assert!(
                matches!(error, Error::Handshake(HandshakeError::Timeout)),
                "{error:?}"
            );
            assert!(started.elapsed() < Duration::from_secs(5));
        });
    }
}

/// `connect` when TLS agreed on http/1.1: the upgrade runs on that connection, and a redirect
/// it answers with is followed (when asked) like the runtime's own `connect_with` does.
mod same_connection_redirect {
    use super::*;

    #[test]
    fn a_redirect_on_the_reused_connection_is_followed() {
        OnTokio::block_on(async {
            let pki = Pki::new(&["localhost"]);
            // Neither server sets ALPN, so TLS agrees on no protocol: HTTP/1.1.
            let (target, target_port) = OnTokio::listen().await;
            let config = pki.server.clone();
            let target_config = config.clone();
            OnTokio::spawn(Box::pin(async move {
                http1_echo_tls::<OnTokio>(target, Some(target_config)).await;
            }));
            let (listener, port) = OnTokio::listen().await;
            let location = format!("wss://localhost:{target_port}/");
            let redirected = Arc::new(AtomicUsize::new(0));
            let counted = redirected.clone();
            OnTokio::spawn(Box::pin(async move {
                let io = listener.accept(Some(config)).await;
                let result = wsflow::WebSocket::<_, wsflow::tokio::TokioRuntime>::server(
                    wsflow::tokio::TokioIo(io),
                    &AcceptOptions::new(),
                    |_: &UpgradeRequest| {
                        counted.fetch_add(1, Ordering::SeqCst);
                        Err(Reject::new(StatusCode::FOUND).header(
                            http::header::LOCATION,
                            http::HeaderValue::from_str(&location).unwrap(),
                        ))
                    },
                )
                .await;
                assert!(matches!(result, Err(Error::Rejected(StatusCode::FOUND))));
            }));
            let options = ConnectOptions::new()
                .tls_config(pki.client.clone())
                .follow_redirects(true);
            let url = format!("wss://localhost:{port}/");
            assert_eq!(OnTokio::connect_echo(url, options).await, "http/1.1");
            assert_eq!(
                redirected.load(Ordering::SeqCst),
                1,
                "answered by the first server"
            );
        });
    }
}
