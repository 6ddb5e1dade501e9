//! The black-box runner: the scripts played over real TCP against another process, any
//! WebSocket server or client, as Autobahn's fuzzers do.
//!
//! The implementation under test is an echo application. In server mode
//! ([`ServerRunner`]) each run connects to it and plays the script's peer as the client; in
//! client mode ([`ClientRunner`]) it is an Autobahn client testee that connects to us, and
//! each run plays the peer as the server. Either way the executor ([`crate::exec`]) is the
//! one the in-process runners use: a black-box endpoint is one more
//! [`crate::runner::Runner`], whose [`TcpSession`] waits on the real socket where an
//! in-process session has settled.
//!
//! - `select`: which scripts an echo endpoint can show, and the form they run in;
//! - `output`: the endpoint's echoes taken out of its output as message events;
//! - `session`: the TCP session; `http`: our side of the opening handshake;
//! - `server_mode`, `client_mode`: the two runners; `suite`: selecting and running scripts;
//!   `report`: the lines, the summary and the JSON.

mod client_mode;
mod http;
mod output;
mod report;
pub mod select;
mod server_mode;
mod session;
mod suite;

use std::net::{SocketAddr, TcpListener};

use wsflow_core::Role;

use crate::chunking::Chunking;
use crate::runner::Runner;
use crate::script::Script;

pub use client_mode::ClientRunner;
pub use output::Output;
pub use report::{Report, json, line, summary};
pub use server_mode::ServerRunner;
pub use session::{TcpSession, Timing};
pub use suite::{ScriptResult, Selection, run_all, runs, select};

/// A runner for a black-box endpoint.
pub trait BlackboxRunner: Runner {
    /// The role of the endpoint under test.
    fn role(&self) -> Role;

    /// This runner as a plain [`Runner`], for the executor.
    fn as_runner(&self) -> &dyn Runner;

    /// Why the last connection could not be opened, if it could not (taken once).
    fn take_error(&self) -> Option<String>;
}

/// What a black-box run plays.
#[derive(Debug, Clone)]
pub struct Options {
    /// The chunkings every script runs under (those it applies to).
    pub chunkings: Vec<Chunking>,
    /// Only the scripts whose path contains this.
    pub only: Option<String>,
    /// The optional requirements ([`select::OPTIONAL`]) the endpoint is held to.
    pub include: Vec<String>,
    /// How long the sessions wait.
    pub timing: Timing,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            chunkings: Chunking::ALL.to_vec(),
            only: None,
            include: Vec::new(),
            timing: Timing::default(),
        }
    }
}

/// A finished black-box run.
#[derive(Debug)]
pub struct Outcome {
    /// The scripts, sorted.
    pub selection: Selection,
    /// One result per applicable script.
    pub results: Vec<ScriptResult>,
    /// A failure outside the scripts (client mode: the closing `/updateReports`).
    pub error: Option<String>,
}

impl Outcome {
    /// The report of this outcome, for `mode` (`server` or `client`).
    pub fn report<'a>(&'a self, mode: &'a str) -> Report<'a> {
        Report {
            mode,
            selection: &self.selection,
            results: &self.results,
        }
    }
}

/// Server mode: plays every applicable script against the echo server at `addr`;
/// `progress` sees each script's result as it completes.
pub fn run_server(
    addr: SocketAddr,
    scripts: &[Script],
    options: &Options,
    progress: impl FnMut(&ScriptResult),
) -> Outcome {
    let selection = select(
        scripts,
        Role::Server,
        options.only.as_deref(),
        &options.include,
    );
    let runner = ServerRunner::new(addr, "/", options.timing);
    let results = run_all(&selection, &options.chunkings, &runner, progress);
    Outcome {
        selection,
        results,
        error: None,
    }
}

/// The selection and case count of client mode, known before the client is started.
pub fn plan_client(scripts: &[Script], options: &Options) -> (Selection, usize) {
    let selection = select(
        scripts,
        Role::Client,
        options.only.as_deref(),
        &options.include,
    );
    let cases = runs(&selection, &options.chunkings).len();
    (selection, cases)
}

/// Client mode: serves the Autobahn testee protocol on `listener` to a client testee, one
/// case per run of `selection` (from [`plan_client`]).
pub fn run_client(
    listener: TcpListener,
    selection: Selection,
    options: &Options,
    progress: impl FnMut(&ScriptResult),
) -> Outcome {
    let cases = runs(&selection, &options.chunkings).len();
    let runner = ClientRunner::new(listener, cases, options.timing);
    let results = run_all(&selection, &options.chunkings, &runner, progress);
    let error = runner.finish().err();
    Outcome {
        selection,
        results,
        error,
    }
}
