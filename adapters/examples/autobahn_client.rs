//! The Autobahn TestSuite's client role on one of the three runtimes: run every case of a
//! fuzzing server (`kosoku -m fuzzingserver 127.0.0.1:9001`), echoing what it sends.
//! `cargo run --release -p wsflow --all-features --example autobahn_client -- tokio ws://127.0.0.1:9001`

use std::future::Future;

use wsflow::{CloseCode, Error, Runtime, Transport, WebSocket};

/// Runs the whole suite with `connect` opening each connection.
async fn run_suite<T, R, F, Fut>(base: &str, agent: &str, connect: F) -> Result<(), Error>
where
    T: Transport,
    R: Runtime,
    F: Fn(String) -> Fut,
    Fut: Future<Output = Result<WebSocket<T, R>, Error>>,
{
    let mut ws = connect(format!("{base}/getCaseCount")).await?;
    let count: u32 = match ws.recv().await? {
        Some(message) => std::str::from_utf8(message.as_bytes())
            .ok()
            .and_then(|text| text.parse().ok())
            .unwrap_or(0),
        None => 0,
    };
    drop(ws.close(CloseCode::NORMAL, "").await);
    for case in 1..=count {
        let mut ws = connect(format!("{base}/runCase?case={case}&agent={agent}")).await?;
        let result = async {
            while let Some(message) = ws.recv().await? {
                ws.send(message).await?;
            }
            Ok::<_, Error>(())
        }
        .await;
        if let Err(error) = result {
            eprintln!("case {case}: {error}");
        }
    }
    let mut ws = connect(format!("{base}/updateReports?agent={agent}")).await?;
    ws.close(CloseCode::NORMAL, "").await?;
    println!("ran {count} cases as {agent}");
    Ok(())
}

fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let runtime = args.next().unwrap_or_else(|| "tokio".into());
    let base = args.next().unwrap_or_else(|| "ws://127.0.0.1:9001".into());
    let agent = format!("wsflow-{runtime}");
    match runtime.as_str() {
        "tokio" => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
            .block_on(run_suite(&base, &agent, |url| async move {
                wsflow::tokio::connect(&url).await
            })),
        "smol" => smol::block_on(run_suite(&base, &agent, |url| async move {
            wsflow::smol::connect(&url).await
        })),
        "async-std" => async_std::task::block_on(run_suite(&base, &agent, |url| async move {
            wsflow::async_std::connect(&url).await
        })),
        other => Err(Error::Io(std::io::Error::other(format!(
            "unknown runtime {other}"
        )))),
    }
}
