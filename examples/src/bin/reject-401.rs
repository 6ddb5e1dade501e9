//! `reject-401`: a server that admits only clients with the right bearer token, refusing the
//! others with `401 Unauthorized` and a `WWW-Authenticate` header before any WebSocket
//! exists; then a client tries without and with the token. Everything on 127.0.0.1, tokio.

use std::process::ExitCode;

use clap::Parser;
use http::{HeaderValue, StatusCode, header};
use wsflow::{Accept, AcceptOptions, CloseCode, ConnectOptions, Error, Reject, UpgradeRequest};
use wsflow_examples::cli;

/// Runs a token-checking server and two clients against it.
#[derive(Debug, Parser)]
#[command(name = "reject-401")]
struct Args {}

const TOKEN: &str = "Bearer let-me-in";

/// The decision: look at the request's headers, accept or refuse with a status.
fn check_token(request: &UpgradeRequest) -> Result<Accept, Reject> {
    let authorized = request
        .request
        .headers()
        .get(header::AUTHORIZATION)
        .is_some_and(|value| value == TOKEN);
    if authorized {
        Ok(Accept::new())
    } else {
        Err(Reject::new(StatusCode::UNAUTHORIZED)
            .header(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))
            .body("a bearer token is required\n"))
    }
}

async fn run() -> Result<(), Error> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("ws://{}/private", listener.local_addr()?);
    let server = async {
        for _ in 0..2 {
            let (stream, _) = listener.accept().await?;
            match wsflow::tokio::accept_with(stream, &AcceptOptions::new(), check_token).await {
                Ok(mut ws) => {
                    while let Some(message) = ws.recv().await? {
                        ws.send(message).await?;
                    }
                }
                Err(Error::Rejected(status)) => println!("server: refused a client with {status}"),
                Err(other) => return Err(other),
            }
        }
        Ok::<(), Error>(())
    };
    let clients = async {
        match wsflow::tokio::connect(&url).await {
            Err(Error::Handshake(error)) => println!("client without a token: {error}"),
            other => panic!("the server should refuse: {other:?}"),
        }
        let options =
            ConnectOptions::new().header(header::AUTHORIZATION, HeaderValue::from_static(TOKEN));
        let mut ws = wsflow::tokio::connect_with(&url, &options).await?;
        ws.send("hello").await?;
        println!("client with the token got: {:?}", ws.recv().await?);
        let report = ws.close(CloseCode::NORMAL, "done").await?;
        println!("client closed: {} ({:?})", report.code, report.cause);
        Ok::<(), Error>(())
    };
    let (served, talked) = tokio::join!(server, clients);
    served.and(talked)
}

fn main() -> ExitCode {
    let _args: Args = cli::parse();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    match runtime.block_on(run()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("reject-401: {error}");
            ExitCode::FAILURE
        }
    }
}
