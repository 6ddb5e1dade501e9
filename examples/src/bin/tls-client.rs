//! `tls-client --url wss://HOST[:PORT]/PATH [--ca-file CA.pem] [--proxy URL] [--proxy-from-env]
//! [--message TEXT]`: connects (through a proxy if asked), sends one message, prints the
//! reply and closes. The TLS client and proxy example.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use wsflow::{CloseCode, ConnectOptions, Proxy};
use wsflow_examples::cli;

/// Sends one message to a WebSocket server and prints the reply.
#[derive(Debug, Parser)]
#[command(name = "tls-client")]
struct Args {
    /// The server, e.g. wss://127.0.0.1:9443/ (ws:// works too).
    #[arg(long)]
    url: String,
    /// Trust only the CA certificates of this PEM file (default: the bundled web roots).
    #[arg(long, value_name = "CA.pem")]
    ca_file: Option<PathBuf>,
    /// Connect through this proxy: `http://[user:pass@]host:port` or `socks5://…`.
    #[arg(long, value_name = "URL")]
    proxy: Option<String>,
    /// Take the proxy from HTTPS_PROXY / HTTP_PROXY / ALL_PROXY (NO_PROXY respected).
    #[arg(long)]
    proxy_from_env: bool,
    /// The message to send.
    #[arg(long, default_value = "hello over TLS")]
    message: String,
}

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let mut options = ConnectOptions::new()
        .connect_timeout(Duration::from_secs(10))
        .proxy_from_env(args.proxy_from_env)
        .follow_redirects(true);
    if let Some(ca_file) = &args.ca_file {
        options = options.tls_config(wsflow::tls::client_config_from_ca_file(ca_file)?);
    }
    if let Some(proxy) = &args.proxy {
        options = options.proxy(Proxy::parse(proxy)?);
    }
    let mut ws = wsflow::tokio::connect_with(&args.url, &options).await?;
    ws.send(args.message.clone()).await?;
    match ws.recv().await? {
        Some(reply) => println!("{}", reply.as_text().unwrap_or("(binary reply)")),
        None => println!("(closed without a reply)"),
    }
    ws.close(CloseCode::NORMAL, "bye").await?;
    Ok(())
}

fn main() -> ExitCode {
    let args = cli::parse::<Args>();
    let runtime = wsflow_examples::asynchronous::tokio_runtime();
    match runtime
        .map_err(Into::into)
        .and_then(|rt| rt.block_on(run(args)))
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("tls-client: {error}");
            ExitCode::from(1)
        }
    }
}
