//! `echo-server --runtime {blocking,tokio,smol,async-std} --addr 127.0.0.1:PORT [--deflate]
//! [--max-message-size BYTES] [--tls-cert CERT.pem --tls-key KEY.pem] [--http2]`: echoes every message
//! until killed; with the TLS flags it serves wss:// on the same address. With `--http2` it
//! serves WebSockets over HTTP/2 (RFC 8441) and HTTP/1.1 on the same port (not on the
//! blocking runtime: exit code 2), logs each connection's protocol, and answers `GET /` over
//! HTTP/2 with a page that echoes one message through a WebSocket (for a browser check).

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use wsflow::AcceptOptions;
use wsflow_examples::cli::{self, RuntimeChoice};
use wsflow_examples::{echo, http2, testee_config, testee_deflate};

/// Echoes every WebSocket message back until killed.
#[derive(Debug, Parser)]
#[command(name = "echo-server")]
struct Args {
    /// The I/O layer to serve with.
    #[arg(long)]
    runtime: RuntimeChoice,
    /// The address to listen on.
    #[arg(long)]
    addr: SocketAddr,
    /// Accept permessage-deflate.
    #[arg(long)]
    deflate: bool,
    /// The largest message accepted, in bytes (default 64 MiB).
    #[arg(long, value_name = "BYTES")]
    max_message_size: Option<u64>,
    /// Serve wss://: the certificate chain (PEM, leaf first).
    #[arg(long, value_name = "CERT.pem", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM, PKCS#8).
    #[arg(long, value_name = "KEY.pem", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Serve WebSockets over HTTP/2 (RFC 8441) too, on the same port: chosen by ALPN with
    /// the TLS flags, by the HTTP/2 preface (prior knowledge) without them.
    #[arg(long)]
    http2: bool,
}

fn main() -> ExitCode {
    let args = cli::parse::<Args>();
    let mut options = AcceptOptions::new().config(testee_config(args.max_message_size));
    options.deflate = testee_deflate(args.deflate);
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => match wsflow::tls::server_config_from_pem(cert, key) {
            Ok(config) => Some(config),
            Err(error) => {
                eprintln!("echo-server: {error}");
                return ExitCode::from(2);
            }
        },
        _ => None,
    };
    let result = TcpListener::bind(args.addr)
        .map_err(|e| format!("bind {}: {e}", args.addr))
        .and_then(|listener| {
            if args.http2 {
                http2::serve(args.runtime, listener, &options, tls.as_ref())
            } else {
                echo::serve(args.runtime, listener, &options, tls.as_ref())
            }
            .map_err(|e| e.to_string())
        });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("echo-server: {error}");
            ExitCode::from(2)
        }
    }
}
