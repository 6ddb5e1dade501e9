//! The Autobahn TestSuite client testee: ask the fuzzing server how many cases there are, run
//! each one echoing every message, then ask it to write its reports.
//!
//! Every connection ends with a completed close handshake, as the fuzzing server expects:
//! the server closes each one, and the client keeps receiving until its answer to that
//! close has gone out and the connection is over.

use std::future::Future;
use std::io;

use wsflow::blocking::{self, Stream};
use wsflow::{ConnectOptions, Error, Runtime, Transport, WebSocket};
use wsflow_core::Message;

use crate::asynchronous::tokio_runtime;
use crate::cli::RuntimeChoice;
use crate::echo::echo_blocking;

/// The URL of one of the fuzzing server's endpoints.
pub fn endpoint(base: &str, path: &str, agent: &str, case: Option<usize>) -> String {
    let base = base.trim_end_matches('/');
    match case {
        Some(case) => format!("{base}/{path}?case={case}&agent={agent}"),
        None if path == "getCaseCount" => format!("{base}/{path}"),
        None => format!("{base}/{path}?agent={agent}"),
    }
}

/// Runs every case over blocking sockets ([`wsflow::blocking`]), as [`run_async`] does.
pub fn run_blocking(base: &str, agent: &str, options: &ConnectOptions) -> io::Result<()> {
    let url = endpoint(base, "getCaseCount", agent, None);
    let mut ws = blocking::connect_with(&url, options).map_err(io::Error::other)?;
    let count = case_count_blocking(&mut ws)?;
    eprintln!("autobahn-client (blocking): {count} cases");
    for case in 1..=count {
        let url = endpoint(base, "runCase", agent, Some(case));
        let result =
            blocking::connect_with(&url, options).and_then(|mut ws| echo_blocking(&mut ws));
        // A failed case is the fuzzing server's verdict to record, not ours.
        if let Err(error) = result {
            eprintln!("case {case}: {error}");
        }
    }
    let url = endpoint(base, "updateReports", agent, None);
    let mut ws = blocking::connect_with(&url, options).map_err(io::Error::other)?;
    // The server writes its reports on this request and may then drop the connection
    // without a close handshake; that ending is not a failure of the run.
    if let Err(error) = until_closed_blocking(&mut ws) {
        eprintln!("updateReports: {error}");
    }
    Ok(())
}

/// [`case_count`] over a blocking connection.
fn case_count_blocking<S: Stream>(ws: &mut blocking::WebSocket<S>) -> io::Result<usize> {
    let count = loop {
        match ws.recv().map_err(io::Error::other)? {
            Some(Message::Text(text)) => break text.trim().parse::<usize>().ok(),
            Some(Message::Binary(_)) => {}
            None => break None,
        }
    };
    let count = count.ok_or_else(|| io::Error::other("no case count received"))?;
    // The fuzzing server sometimes resets this connection right after sending the count
    // (CI saw "connection reset by peer"): the count is all that is wanted, so that
    // ending is logged, not a failure of the run.
    if let Err(error) = until_closed_blocking(ws) {
        eprintln!("getCaseCount: {error}");
    }
    Ok(count)
}

/// [`until_closed`] over a blocking connection.
fn until_closed_blocking<S: Stream>(ws: &mut blocking::WebSocket<S>) -> Result<(), Error> {
    while ws.recv()?.is_some() {}
    Ok(())
}

/// Runs every case on an async runtime; `connect` opens a connection to a URL (the only
/// part that differs between runtimes, see [`run`]).
pub async fn run_async<T, R, F, Fut>(base: &str, agent: &str, connect: F) -> io::Result<()>
where
    T: Transport,
    R: Runtime,
    F: Fn(String) -> Fut,
    Fut: Future<Output = Result<WebSocket<T, R>, Error>>,
{
    let url = endpoint(base, "getCaseCount", agent, None);
    let mut ws = connect(url).await.map_err(io::Error::other)?;
    let count = case_count(&mut ws).await?;
    eprintln!("autobahn-client: {count} cases");
    for case in 1..=count {
        let url = endpoint(base, "runCase", agent, Some(case));
        let result = async {
            let mut ws = connect(url).await?;
            while let Some(message) = ws.recv().await? {
                ws.send(message).await?;
            }
            Ok::<(), Error>(())
        }
        .await;
        // A failed case is the fuzzing server's verdict to record, not ours.
        if let Err(error) = result {
            eprintln!("case {case}: {error}");
        }
    }
    let url = endpoint(base, "updateReports", agent, None);
    let mut ws = connect(url).await.map_err(io::Error::other)?;
    // The server writes its reports on this request and may then drop the connection
    // without a close handshake; that ending is not a failure of the run.
    if let Err(error) = until_closed(&mut ws).await {
        eprintln!("updateReports: {error}");
    }
    Ok(())
}

/// Takes the case count from a `getCaseCount` connection, then receives until the
/// server's close has been answered.
async fn case_count<T: Transport, R: Runtime>(ws: &mut WebSocket<T, R>) -> io::Result<usize> {
    let count = loop {
        match ws.recv().await.map_err(io::Error::other)? {
            Some(Message::Text(text)) => break text.trim().parse::<usize>().ok(),
            Some(Message::Binary(_)) => {}
            None => break None,
        }
    };
    let count = count.ok_or_else(|| io::Error::other("no case count received"))?;
    // The fuzzing server sometimes resets this connection right after sending the count
    // (CI saw "connection reset by peer"): the count is all that is wanted, so that
    // ending is logged, not a failure of the run.
    if let Err(error) = until_closed(ws).await {
        eprintln!("getCaseCount: {error}");
    }
    Ok(count)
}

/// Receives (and drops) messages until the connection is over: `recv` answers the peer's
/// close by itself and returns `Ok(None)` once the close handshake is complete.
async fn until_closed<T: Transport, R: Runtime>(ws: &mut WebSocket<T, R>) -> Result<(), Error> {
    while ws.recv().await?.is_some() {}
    Ok(())
}

/// Runs every case on the chosen runtime.
pub fn run(
    runtime: RuntimeChoice,
    base: &str,
    agent: &str,
    options: &ConnectOptions,
) -> io::Result<()> {
    match runtime {
        RuntimeChoice::Blocking => run_blocking(base, agent, options),
        RuntimeChoice::Tokio => {
            tokio_runtime()?.block_on(run_async(base, agent, |url| async move {
                wsflow::tokio::connect_with(&url, options).await
            }))
        }
        RuntimeChoice::Smol => smol::block_on(run_async(base, agent, |url| async move {
            wsflow::smol::connect_with(&url, options).await
        })),
        RuntimeChoice::AsyncStd => {
            async_std::task::block_on(run_async(base, agent, |url| async move {
                wsflow::async_std::connect_with(&url, options).await
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::endpoint;

    #[test]
    fn endpoints_follow_the_fuzzing_server_protocol() {
        let base = "ws://127.0.0.1:9001/";
        assert_eq!(
            endpoint(base, "getCaseCount", "x", None),
            "ws://127.0.0.1:9001/getCaseCount"
        );
        assert_eq!(
            endpoint(base, "runCase", "wsflow", Some(7)),
            "ws://127.0.0.1:9001/runCase?case=7&agent=wsflow"
        );
        assert_eq!(
            endpoint(base, "updateReports", "wsflow", None),
            "ws://127.0.0.1:9001/updateReports?agent=wsflow"
        );
    }
}
