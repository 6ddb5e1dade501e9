//! Accept loops for the async runtimes: one plain function per runtime, each accepting
//! connections and spawning one task per connection on its runtime.
//!
//! What a connection does is written once, generic over any runtime's `WebSocket<T, R>`
//! (see `echo::echo_connection` or `chat::Room::serve`), and passed in as `handle`; only
//! the listener, the spawn and the `block_on` differ from one runtime to the next.

use std::future::Future;
use std::io;
use std::net::TcpListener;

use std::sync::Arc;

use wsflow::AcceptOptions;
use wsflow::tls::rustls::ServerConfig;

/// A single-threaded tokio runtime, like the other two runtimes' `block_on`.
pub fn tokio_runtime() -> io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

/// Serves on `listener` with tokio until accepting fails: each connection gets a task that
/// runs the TLS handshake with `tls` if given (wss://), the opening handshake with
/// `options`, then `handle`.
pub fn serve_tokio<F, Fut>(
    listener: TcpListener,
    options: &AcceptOptions,
    tls: Option<&Arc<ServerConfig>>,
    handle: F,
) -> io::Result<()>
where
    F: Fn(wsflow::tokio::WebSocketStream) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    // tokio takes over a std listener only if it is already non-blocking.
    listener.set_nonblocking(true)?;
    tokio_runtime()?.block_on(async {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        loop {
            let (stream, _) = listener.accept().await?;
            let (options, handle, tls) = (options.clone(), handle.clone(), tls.cloned());
            tokio::spawn(async move {
                let stream = match tls {
                    Some(config) => match wsflow::tokio::tls_accept(stream, config).await {
                        Ok(stream) => stream,
                        Err(error) => return eprintln!("TLS handshake failed: {error}"),
                    },
                    None => stream.into(),
                };
                match wsflow::tokio::accept_with(stream, &options, wsflow::accept_any).await {
                    Ok(ws) => handle(ws).await,
                    Err(error) => eprintln!("handshake failed: {error}"),
                }
            });
        }
    })
}

/// [`serve_tokio`] on smol.
pub fn serve_smol<F, Fut>(
    listener: TcpListener,
    options: &AcceptOptions,
    tls: Option<&Arc<ServerConfig>>,
    handle: F,
) -> io::Result<()>
where
    F: Fn(wsflow::smol::WebSocketStream) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    smol::block_on(async {
        let listener = smol::net::TcpListener::try_from(listener)?;
        loop {
            let (stream, _) = listener.accept().await?;
            let (options, handle, tls) = (options.clone(), handle.clone(), tls.cloned());
            smol::spawn(async move {
                let stream = match tls {
                    Some(config) => match wsflow::smol::tls_accept(stream, config).await {
                        Ok(stream) => stream,
                        Err(error) => return eprintln!("TLS handshake failed: {error}"),
                    },
                    None => stream.into(),
                };
                match wsflow::smol::accept_with(stream, &options, wsflow::accept_any).await {
                    Ok(ws) => handle(ws).await,
                    Err(error) => eprintln!("handshake failed: {error}"),
                }
            })
            .detach();
        }
    })
}

/// [`serve_tokio`] on async-std.
pub fn serve_async_std<F, Fut>(
    listener: TcpListener,
    options: &AcceptOptions,
    tls: Option<&Arc<ServerConfig>>,
    handle: F,
) -> io::Result<()>
where
    F: Fn(wsflow::async_std::WebSocketStream) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    async_std::task::block_on(async {
        let listener = async_std::net::TcpListener::from(listener);
        loop {
            let (stream, _) = listener.accept().await?;
            let (options, handle, tls) = (options.clone(), handle.clone(), tls.cloned());
            async_std::task::spawn(async move {
                let stream = match tls {
                    Some(config) => match wsflow::async_std::tls_accept(stream, config).await {
                        Ok(stream) => stream,
                        Err(error) => return eprintln!("TLS handshake failed: {error}"),
                    },
                    None => stream.into(),
                };
                match wsflow::async_std::accept_with(stream, &options, wsflow::accept_any).await {
                    Ok(ws) => handle(ws).await,
                    Err(error) => eprintln!("handshake failed: {error}"),
                }
            });
        }
    })
}
