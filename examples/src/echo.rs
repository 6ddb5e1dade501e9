//! The echo server: every text and binary message goes back as it came.

use std::io;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use wsflow::blocking::{self, Stream};
use wsflow::tls::rustls::ServerConfig;
use wsflow::{AcceptOptions, Error, Runtime, Transport, WebSocket};

use crate::asynchronous;
use crate::cli::RuntimeChoice;

/// Echoes every message until the connection ends; reports how it ended. Written once for
/// every async runtime: [`serve`] passes it to each runtime's accept loop.
pub async fn echo_connection<T: Transport, R: Runtime>(mut ws: WebSocket<T, R>) {
    let result = async {
        // `recv` answers the peer's close by itself and returns `Ok(None)` once the close
        // handshake is complete, so the loop ends with the connection properly closed.
        while let Some(message) = ws.recv().await? {
            ws.send(message).await?;
        }
        Ok::<(), Error>(())
    }
    .await;
    if let Err(error) = result {
        eprintln!("connection ended: {error}");
    }
}

/// [`echo_connection`] over blocking sockets ([`wsflow::blocking`]): echoes every message
/// until the connection ends; an error ends it early.
pub fn echo_blocking<S: Stream>(ws: &mut blocking::WebSocket<S>) -> Result<(), Error> {
    // `recv` answers the peer's close by itself and returns `Ok(None)` once the close
    // handshake is complete, so the loop ends with the connection properly closed.
    while let Some(message) = ws.recv()? {
        ws.send(message)?;
    }
    Ok(())
}

/// Serves until killed on `listener`, one thread per connection over blocking sockets;
/// over TLS (wss://) with `tls`.
pub fn serve_blocking(
    listener: &TcpListener,
    options: &AcceptOptions,
    tls: Option<&Arc<ServerConfig>>,
) {
    for stream in listener.incoming() {
        let stream = match stream {
            Ok(stream) => stream,
            Err(error) => {
                eprintln!("accept failed: {error}");
                continue;
            }
        };
        let options = options.clone();
        let tls = tls.cloned();
        std::thread::spawn(move || {
            let stream = match tls {
                // A client that stalls its TLS handshake gives up its thread after 10 s; the
                // WebSocket sets its own read timeouts afterwards.
                Some(config) => match stream
                    .set_read_timeout(Some(Duration::from_secs(10)))
                    .and_then(|()| blocking::tls_accept(stream, config))
                {
                    Ok(stream) => stream,
                    Err(error) => return eprintln!("TLS handshake failed: {error}"),
                },
                None => stream.into(),
            };
            match blocking::accept_with(stream, &options, wsflow::accept_any) {
                Ok(mut ws) => {
                    if let Err(error) = echo_blocking(&mut ws) {
                        eprintln!("connection ended: {error}");
                    }
                }
                Err(error) => eprintln!("handshake failed: {error}"),
            }
        });
    }
}

/// Serves on the chosen runtime until killed; over TLS (wss://) with `tls`.
pub fn serve(
    runtime: RuntimeChoice,
    listener: TcpListener,
    options: &AcceptOptions,
    tls: Option<&Arc<ServerConfig>>,
) -> io::Result<()> {
    // Tools read this line: the plain form stays as it was.
    let tls_note = if tls.is_some() { " (wss)" } else { "" };
    eprintln!(
        "echo-server ({runtime}) listening on {}{tls_note}",
        listener.local_addr()?
    );
    match runtime {
        RuntimeChoice::Blocking => {
            serve_blocking(&listener, options, tls);
            Ok(())
        }
        RuntimeChoice::Tokio => asynchronous::serve_tokio(listener, options, tls, echo_connection),
        RuntimeChoice::Smol => asynchronous::serve_smol(listener, options, tls, echo_connection),
        RuntimeChoice::AsyncStd => {
            asynchronous::serve_async_std(listener, options, tls, echo_connection)
        }
    }
}
