//! `structured [--clients N]`: a server and N clients in scopes that own them; the clients'
//! scope is cancelled by a timeout, and the server watches every connection close (see
//! `wsflow_examples::structured`).

use std::process::ExitCode;
use std::time::Duration;

use wsflow_examples::cli::Flags;
use wsflow_examples::structured;

fn main() -> ExitCode {
    let result = Flags::from_env(&[]).and_then(|flags| {
        let clients = flags.value("clients")?.unwrap_or(4);
        let report = smol::block_on(structured::run(clients, Duration::from_millis(100)))
            .map_err(|e| e.to_string())?;
        println!("structured: {report:?}");
        if report.cancelled && report.ended_by_peer == clients && report.live_after == 0 {
            Ok(())
        } else {
            Err(format!("something outlived its scope: {report:?}"))
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("structured: {error}");
            ExitCode::from(1)
        }
    }
}
