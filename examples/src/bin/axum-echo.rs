//! `axum-echo --addr 127.0.0.1:PORT`: an axum server with an HTTP route and a WebSocket route
//! on one listener. `GET /ws` upgrades to a WebSocket that sends every text and binary
//! message back (subprotocol `echo` when the client offers it, permessage-deflate when the
//! client offers it); `GET /` answers a plain page. A request on `/ws` that is not a valid
//! upgrade gets the core's error answer (426 for a plain GET, 400 for a bad key, …).

use std::net::SocketAddr;
use std::process::ExitCode;

use axum::Router;
use axum::response::{Html, Response};
use axum::routing::get;
use clap::Parser;
use wsflow::DeflateConfig;
use wsflow::axum::WebSocketUpgrade;
use wsflow::hyper::HyperWebSocket;
use wsflow_examples::cli;

/// Serves an echo WebSocket on /ws and a page on / until killed.
#[derive(Debug, Parser)]
#[command(name = "axum-echo")]
struct Args {
    /// The address to listen on.
    #[arg(long)]
    addr: SocketAddr,
}

async fn index() -> Html<&'static str> {
    Html("<!doctype html><title>axum-echo</title><p>WebSocket echo at <code>/ws</code>.</p>\n")
}

/// The extractor has already checked the request; a bad one never gets here.
async fn ws(upgrade: WebSocketUpgrade) -> Response {
    upgrade
        .protocols(["echo"])
        .deflate(DeflateConfig::default())
        // axum's tasks: the upgrade can only finish after this response is sent, so
        // `on_upgrade` spawns the echo loop on tokio, as axum's own extractor does.
        .on_upgrade(echo)
}

async fn echo(mut socket: HyperWebSocket) {
    // `recv` answers pings and ends with `Ok(None)` after the close handshake.
    loop {
        match socket.recv().await {
            Ok(Some(message)) => {
                if let Err(error) = socket.send(message).await {
                    eprintln!("axum-echo: send: {error}");
                    return;
                }
            }
            Ok(None) => return,
            Err(error) => {
                eprintln!("axum-echo: {error}");
                return;
            }
        }
    }
}

async fn serve(addr: SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    eprintln!("axum-echo listening on {}", listener.local_addr()?);
    let app = Router::new().route("/", get(index)).route("/ws", get(ws));
    axum::serve(listener, app).await
}

fn main() -> ExitCode {
    let args = cli::parse::<Args>();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("axum-echo: cannot start tokio: {error}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(serve(args.addr)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("axum-echo: {}: {error}", args.addr);
            ExitCode::from(2)
        }
    }
}
