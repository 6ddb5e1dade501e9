//! The Autobahn TestSuite client testee: ask the fuzzing server how many cases there are, run
//! each one echoing every message, then ask it to write its reports.

use std::io;

use wsflow::ConnectOptions;
use wsflow_core::{Event, Message};

use crate::asynchronous;
use crate::blocking::{Session, echo};
use crate::cli::RuntimeChoice;

/// The URL of one of the fuzzing server's endpoints.
pub fn endpoint(base: &str, path: &str, agent: &str, case: Option<usize>) -> String {
    let base = base.trim_end_matches('/');
    match case {
        Some(case) => format!("{base}/{path}?case={case}&agent={agent}"),
        None if path == "getCaseCount" => format!("{base}/{path}"),
        None => format!("{base}/{path}?agent={agent}"),
    }
}

fn connect(url: &str, options: &ConnectOptions) -> io::Result<Session> {
    Session::connect(url, options.config.clone(), options.deflate.clone())
}

fn case_count_blocking(base: &str, options: &ConnectOptions) -> io::Result<usize> {
    let session = connect(&endpoint(base, "getCaseCount", "", None), options)?;
    let mut count = None;
    let ended = session.run(|_, event| {
        if let Event::Message(Message::Text(text)) = event {
            count = text.trim().parse().ok();
        }
    });
    // The fuzzing server drops this connection once it has sent the count, sometimes with a
    // reset: an error after the count arrived does not matter.
    match (count, ended) {
        (Some(count), _) => Ok(count),
        (None, Err(error)) => Err(error),
        (None, Ok(_)) => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "no case count received",
        )),
    }
}

/// Runs every case over blocking sockets.
pub fn run_blocking(base: &str, agent: &str, options: &ConnectOptions) -> io::Result<()> {
    let count = case_count_blocking(base, options)?;
    eprintln!("autobahn-client (blocking): {count} cases");
    for case in 1..=count {
        let url = endpoint(base, "runCase", agent, Some(case));
        // A case that fails the connection is the fuzzing server's verdict to record, not ours.
        if let Err(error) = connect(&url, options).and_then(|s| s.run(echo)) {
            eprintln!("case {case}: {error}");
        }
    }
    let url = endpoint(base, "updateReports", agent, None);
    // The server writes its reports on this request and may then drop the connection
    // without a close handshake; that ending is not a failure of the run.
    if let Err(error) = connect(&url, options)?.run(|_, _| {}) {
        eprintln!("updateReports: {error}");
    }
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
        other => asynchronous::autobahn(other, base, agent, options),
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
