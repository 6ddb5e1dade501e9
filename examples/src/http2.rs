//! WebSockets over HTTP/2 (RFC 8441): the echo server's `--http2` mode, which serves HTTP/2
//! and HTTP/1.1 on one port, and the Autobahn client's, which runs every case as a stream of
//! one HTTP/2 connection.
//!
//! The server picks the protocol per connection: with TLS, from ALPN (`h2` or `http/1.1`,
//! both offered); without, from the first byte (`P` of the HTTP/2 preface `PRI * HTTP/2.0`,
//! clients with prior knowledge; anything else is an HTTP/1.1 request).

use std::future::Future;
use std::io;
use std::net::TcpListener;
use std::pin::Pin;
use std::sync::Arc;

use wsflow::h2::ServerConnection;
use wsflow::tls::rustls::ServerConfig;
use wsflow::{AcceptOptions, ConnectOptions, Runtime};

use crate::asynchronous::tokio_runtime;
use crate::autobahn::run_async;
use crate::cli::RuntimeChoice;
use crate::echo::echo_connection;

/// A task to run on the connection's runtime.
type Task = Pin<Box<dyn Future<Output = ()> + Send>>;

/// `config` with ALPN `h2` first, then `http/1.1`.
fn with_alpn(config: &Arc<ServerConfig>) -> Arc<ServerConfig> {
    let mut config = (**config).clone();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Arc::new(config)
}

/// Serves one HTTP/2 connection: each WebSocket on it echoes in a task of its own (spawned
/// with `spawn`), while this loop drives the connection; other requests get 404.
async fn serve_h2<T, R>(io: T, options: AcceptOptions, spawn: fn(Task))
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    R: Runtime + Send + 'static,
    R::Timer: Send,
{
    let mut connection = match ServerConnection::handshake(io).await {
        Ok(connection) => connection,
        Err(error) => return eprintln!("HTTP/2 handshake failed: {error}"),
    };
    while let Some(request) = connection.accept().await {
        let request = match request {
            Ok(request) => request,
            Err(error) => return eprintln!("HTTP/2 connection failed: {error}"),
        };
        if !request.is_websocket() {
            if request.request().method() == http::Method::GET
                && request.request().uri().path() == "/"
            {
                send_page(request);
            } else {
                request.respond(http::StatusCode::NOT_FOUND);
            }
            continue;
        }
        match request.accept::<R, _>(&options, wsflow::accept_any) {
            Ok(ws) => {
                log_line(format_args!("WebSocket over HTTP/2 opened"));
                spawn(Box::pin(async move {
                    echo_connection(ws).await;
                    log_line(format_args!("WebSocket over HTTP/2 ended"));
                }));
            }
            Err(error) => eprintln!("handshake failed: {error}"),
        }
    }
}

/// A page that opens a WebSocket to this server over whatever the browser chooses (HTTP/2
/// when the page itself came over HTTP/2), echoes one message and shows the result in its
/// title: for checking a browser by hand (`chromium --headless --dump-dom https://…/`).
const PAGE: &str = r#"<!doctype html>
<title>pending</title>
<script>
const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/echo");
ws.onopen = () => ws.send("hello over the page's connection");
ws.onmessage = (event) => { document.title = "echo: " + event.data; ws.close(1000); };
ws.onerror = () => { document.title = "error"; };
</script>
"#;

/// Answers `GET /` on an HTTP/2 connection with [`PAGE`].
fn send_page(request: wsflow::h2::IncomingRequest) {
    let (_, mut respond) = request.into_parts();
    let response = http::Response::builder()
        .header(http::header::CONTENT_TYPE, "text/html; charset=utf-8")
        .body(())
        .unwrap_or_default();
    if let Ok(mut stream) = respond.send_response(response, false) {
        let _ = stream.send_data(PAGE.into(), true);
    }
}

/// Logs a connection's protocol on stderr; a closed stderr (a tool that read only the
/// "listening" line) is no reason to fail, unlike `eprintln!`, which would panic.
fn log_connection(peer: std::net::SocketAddr, h2: bool) {
    let protocol = if h2 { "h2" } else { "http/1.1" };
    log_line(format_args!("connection from {peer}: {protocol}"));
}

/// One line on stderr, ignoring a closed stderr (see [`log_connection`]).
fn log_line(line: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let _ = writeln!(io::stderr(), "{line}");
}

/// Serves HTTP/2 and HTTP/1.1 on `listener` with the chosen runtime until killed.
pub fn serve(
    runtime: RuntimeChoice,
    listener: TcpListener,
    options: &AcceptOptions,
    tls: Option<&Arc<ServerConfig>>,
) -> io::Result<()> {
    if runtime == RuntimeChoice::Blocking {
        return Err(io::Error::other(
            "--http2 is not supported with --runtime blocking (use tokio, smol or async-std)",
        ));
    }
    let tls_note = if tls.is_some() { " (wss)" } else { "" };
    eprintln!(
        "echo-server ({runtime}) listening on {}{tls_note} (HTTP/2 and HTTP/1.1)",
        listener.local_addr()?
    );
    let tls = tls.map(with_alpn);
    match runtime {
        RuntimeChoice::Blocking => Ok(()),
        RuntimeChoice::Tokio => serve_tokio(listener, options, tls.as_ref()),
        RuntimeChoice::Smol => serve_smol(listener, options, tls.as_ref()),
        RuntimeChoice::AsyncStd => serve_async_std(listener, options, tls.as_ref()),
    }
}

fn serve_tokio(
    listener: TcpListener,
    options: &AcceptOptions,
    tls: Option<&Arc<ServerConfig>>,
) -> io::Result<()> {
    listener.set_nonblocking(true)?;
    tokio_runtime()?.block_on(async {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        loop {
            let (tcp, peer) = listener.accept().await?;
            // As `accept_with` does for HTTP/1.1: HTTP/2's small frames must not wait for Nagle.
            let _ = tcp.set_nodelay(true);
            let (options, tls) = (options.clone(), tls.cloned());
            tokio::spawn(async move {
                let mut first = [0u8; 1];
                let stream: wsflow::tokio::MaybeTlsStream = if let Some(config) = tls {
                    match wsflow::tokio::tls_accept(tcp, config).await {
                        Ok(stream) => stream,
                        Err(error) => return eprintln!("TLS handshake failed: {error}"),
                    }
                } else {
                    // An HTTP/2 client with prior knowledge starts with the preface, `PRI * …`.
                    let _ = tcp.peek(&mut first).await;
                    tcp.into()
                };
                let h2 = stream.alpn_protocol() == Some(b"h2") || first == *b"P";
                log_connection(peer, h2);
                if h2 {
                    let spawn: fn(Task) = |task| drop(tokio::spawn(task));
                    serve_h2::<_, wsflow::tokio::TokioRuntime>(stream, options, spawn).await;
                    return;
                }
                match wsflow::tokio::accept_with(stream, &options, wsflow::accept_any).await {
                    Ok(ws) => echo_connection(ws).await,
                    Err(error) => eprintln!("handshake failed: {error}"),
                }
            });
        }
    })
}

fn serve_smol(
    listener: TcpListener,
    options: &AcceptOptions,
    tls: Option<&Arc<ServerConfig>>,
) -> io::Result<()> {
    smol::block_on(async {
        let listener = smol::net::TcpListener::try_from(listener)?;
        loop {
            let (tcp, peer) = listener.accept().await?;
            // As `accept_with` does for HTTP/1.1: HTTP/2's small frames must not wait for Nagle.
            let _ = tcp.set_nodelay(true);
            let (options, tls) = (options.clone(), tls.cloned());
            smol::spawn(async move {
                let mut first = [0u8; 1];
                let stream: wsflow::smol::MaybeTlsStream = if let Some(config) = tls {
                    match wsflow::smol::tls_accept(tcp, config).await {
                        Ok(stream) => stream,
                        Err(error) => return eprintln!("TLS handshake failed: {error}"),
                    }
                } else {
                    // An HTTP/2 client with prior knowledge starts with the preface, `PRI * …`.
                    let _ = tcp.peek(&mut first).await;
                    tcp.into()
                };
                let h2 = stream.alpn_protocol() == Some(b"h2") || first == *b"P";
                log_connection(peer, h2);
                if h2 {
                    let spawn: fn(Task) = |task| smol::spawn(task).detach();
                    let io = wsflow::h2::compat(stream);
                    serve_h2::<_, wsflow::smol::AsyncIoRuntime>(io, options, spawn).await;
                    return;
                }
                match wsflow::smol::accept_with(stream, &options, wsflow::accept_any).await {
                    Ok(ws) => echo_connection(ws).await,
                    Err(error) => eprintln!("handshake failed: {error}"),
                }
            })
            .detach();
        }
    })
}

fn serve_async_std(
    listener: TcpListener,
    options: &AcceptOptions,
    tls: Option<&Arc<ServerConfig>>,
) -> io::Result<()> {
    async_std::task::block_on(async {
        let listener = async_std::net::TcpListener::from(listener);
        loop {
            let (tcp, peer) = listener.accept().await?;
            // As `accept_with` does for HTTP/1.1: HTTP/2's small frames must not wait for Nagle.
            let _ = tcp.set_nodelay(true);
            let (options, tls) = (options.clone(), tls.cloned());
            async_std::task::spawn(async move {
                let mut first = [0u8; 1];
                let stream: wsflow::async_std::MaybeTlsStream = if let Some(config) = tls {
                    match wsflow::async_std::tls_accept(tcp, config).await {
                        Ok(stream) => stream,
                        Err(error) => return eprintln!("TLS handshake failed: {error}"),
                    }
                } else {
                    // An HTTP/2 client with prior knowledge starts with the preface, `PRI * …`.
                    let _ = tcp.peek(&mut first).await;
                    tcp.into()
                };
                let h2 = stream.alpn_protocol() == Some(b"h2") || first == *b"P";
                log_connection(peer, h2);
                if h2 {
                    let spawn: fn(Task) = |task| drop(async_std::task::spawn(task));
                    let io = wsflow::h2::compat(stream);
                    serve_h2::<_, wsflow::async_std::AsyncIoRuntime>(io, options, spawn).await;
                    return;
                }
                match wsflow::async_std::accept_with(stream, &options, wsflow::accept_any).await {
                    Ok(ws) => echo_connection(ws).await,
                    Err(error) => eprintln!("handshake failed: {error}"),
                }
            });
        }
    })
}

/// Runs every Autobahn case as a WebSocket on one HTTP/2 connection to `base` (prior
/// knowledge for `ws://`, ALPN `h2` for `wss://`); the server must take WebSockets over
/// HTTP/2.
pub fn run_autobahn(
    runtime: RuntimeChoice,
    base: &str,
    agent: &str,
    options: &ConnectOptions,
) -> io::Result<()> {
    // Each case is a new stream on the connection, with the options' offers and config.
    // The connection is driven next to the cases; once they are done and every handle is
    // gone, the driver sends what is still queued (the last close frame) and ends.
    macro_rules! on {
        ($rt:ident, $runtime:ty) => {
            async {
                let (client, driver) = wsflow::h2::$rt::client(base, options)
                    .await
                    .map_err(io::Error::other)?;
                let cases = run_async(base, agent, move |url| {
                    let client = client.clone();
                    async move {
                        let request = options.request(&url)?;
                        client
                            .websocket::<$runtime>(request, options.config.clone())
                            .await
                    }
                });
                let (result, ended) = futures_util::future::join(cases, driver).await;
                if let Err(error) = ended {
                    eprintln!("HTTP/2 connection: {error}");
                }
                result
            }
        };
    }
    match runtime {
        RuntimeChoice::Blocking => Err(io::Error::other(
            "--http2 is not supported with --runtime blocking (use tokio, smol or async-std)",
        )),
        RuntimeChoice::Tokio => tokio_runtime()?.block_on(on!(tokio, wsflow::tokio::TokioRuntime)),
        RuntimeChoice::Smol => smol::block_on(on!(smol, wsflow::smol::AsyncIoRuntime)),
        RuntimeChoice::AsyncStd => {
            async_std::task::block_on(on!(async_std, wsflow::async_std::AsyncIoRuntime))
        }
    }
}
