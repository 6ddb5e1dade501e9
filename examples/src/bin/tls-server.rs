//! `tls-server --addr 127.0.0.1:PORT --cert CERT.pem --key KEY.pem`: a wss:// echo server on
//! tokio, the TLS server example. Each accepted socket runs the TLS handshake
//! (`tls_accept`), then the same `accept_with` as plain TCP.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use wsflow_examples::cli;

/// Echoes every message over wss:// until killed.
#[derive(Debug, Parser)]
#[command(name = "tls-server")]
struct Args {
    /// The address to listen on.
    #[arg(long)]
    addr: SocketAddr,
    /// The certificate chain (PEM, leaf first).
    #[arg(long, value_name = "CERT.pem")]
    cert: PathBuf,
    /// Its private key (PEM).
    #[arg(long, value_name = "KEY.pem")]
    key: PathBuf,
}

async fn serve(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let config = wsflow::tls::server_config_from_pem(&args.cert, &args.key)?;
    let listener = tokio::net::TcpListener::bind(args.addr).await?;
    eprintln!("tls-server listening on wss://{}", listener.local_addr()?);
    loop {
        let (tcp, peer) = listener.accept().await?;
        let config = config.clone();
        tokio::spawn(async move {
            let result = async {
                let tls = wsflow::tokio::tls_accept(tcp, config).await?;
                let mut ws = wsflow::tokio::accept(tls).await?;
                while let Some(message) = ws.recv().await? {
                    ws.send(message).await?;
                }
                Ok::<(), wsflow::Error>(())
            }
            .await;
            if let Err(error) = result {
                eprintln!("{peer}: {error}");
            }
        });
    }
}

fn main() -> ExitCode {
    let args = cli::parse::<Args>();
    let runtime = wsflow_examples::asynchronous::tokio_runtime();
    match runtime
        .map_err(Into::into)
        .and_then(|rt| rt.block_on(serve(args)))
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("tls-server: {error}");
            ExitCode::from(2)
        }
    }
}
