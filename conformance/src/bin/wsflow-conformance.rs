//! `wsflow-conformance`: the conformance scripts, played over real TCP against any WebSocket
//! echo server or Autobahn client testee.
//!
//! ```text
//! wsflow-conformance server --command 'my-echo-server --port {port}'
//! wsflow-conformance server --addr 127.0.0.1:9001
//! wsflow-conformance client --command 'my-autobahn-client ws://127.0.0.1:{port} agent'
//! ```
//!
//! Prints one line per applicable script and a summary; `--json FILE` writes the report for
//! tools. Exits 1 if any run failed, 2 if the run could not be made or no script applied.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand};
use wsflow_conformance::blackbox::select::OPTIONAL;
use wsflow_conformance::blackbox::{self, Options, Outcome, Timing};
use wsflow_conformance::chunking::Chunking;
use wsflow_conformance::parse::load_dir;

/// Plays the wsflow conformance scripts against another WebSocket implementation.
#[derive(Debug, Parser)]
#[command(name = "wsflow-conformance")]
struct Cli {
    #[command(subcommand)]
    mode: Mode,
}

#[derive(Debug, Subcommand)]
enum Mode {
    /// Test an echo server: we connect as the scripted client.
    Server {
        /// The server's address (loopback), if it is already running.
        #[arg(long, conflicts_with = "command", required_unless_present = "command")]
        addr: Option<SocketAddr>,
        /// A command starting the server; `{port}` is replaced by a free loopback port.
        #[arg(long)]
        command: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// Test an Autobahn client testee: we listen and serve its cases as the scripted server.
    Client {
        /// A command starting the client; `{port}` is replaced by the port we listen on.
        /// Without it, start the client yourself against ws://127.0.0.1:PORT.
        #[arg(long)]
        command: Option<String>,
        /// The port to listen on (default: a free one with --command, else 9001).
        #[arg(long)]
        port: Option<u16>,
        #[command(flatten)]
        common: Common,
    },
}

#[derive(Debug, Args)]
struct Common {
    /// The scripts folder.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts"))]
    scripts: PathBuf,
    /// The chunkings, comma separated (whole, bytewise, random-1, random-2, trailing).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "whole,bytewise,random-1,random-2,trailing"
    )]
    chunkings: Vec<String>,
    /// Only the scripts whose path contains this.
    #[arg(long)]
    only: Option<String>,
    /// Hold the endpoint to these optional requirements too, comma separated: fail-fast,
    /// default-limits, implementation-choice (wsflow's own qualities), or `all`.
    #[arg(long, value_delimiter = ',')]
    include: Vec<String>,
    /// Write the report as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// The longest wait for something a script expects, in milliseconds.
    #[arg(long, default_value_t = 2000)]
    timeout_ms: u64,
    /// How long the endpoint gets to do what a script rules out, in milliseconds.
    #[arg(long, default_value_t = 30)]
    quiet_ms: u64,
}

impl Common {
    fn options(&self) -> Result<Options, String> {
        let chunkings = self
            .chunkings
            .iter()
            .map(|name| {
                Chunking::from_name(name).ok_or_else(|| format!("unknown chunking `{name}`"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut include = Vec::new();
        for name in &self.include {
            match name.as_str() {
                "all" => include.extend(OPTIONAL.iter().map(|&name| name.to_owned())),
                name if OPTIONAL.contains(&name) => include.push(name.to_owned()),
                other => return Err(format!("--include: unknown requirement `{other}`")),
            }
        }
        Ok(Options {
            chunkings,
            only: self.only.clone(),
            include,
            timing: Timing {
                timeout: Duration::from_millis(self.timeout_ms),
                quiet: Duration::from_millis(self.quiet_ms),
            },
        })
    }
}

/// Starts `command` through the shell with `{port}` replaced.
fn spawn(command: &str, port: u16) -> Result<Child, String> {
    let command = command.replace("{port}", &port.to_string());
    eprintln!("wsflow-conformance: starting `{command}`");
    Command::new("sh")
        .arg("-c")
        .arg(format!("exec {command}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("starting `{command}`: {e}"))
}

/// A free loopback port (the OS picks it; it is released at once for the command to take).
fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

/// Waits until something accepts connections at `addr`.
fn wait_listening(addr: SocketAddr, child: &mut Child) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("the server exited before listening: {status}"));
        }
        if Instant::now() > deadline {
            return Err(format!("nothing listens at {addr}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Prints each script's line as it completes.
fn print_line(result: &blackbox::ScriptResult) {
    println!("{}", blackbox::line(result));
}

fn server(
    addr: Option<SocketAddr>,
    command: Option<&str>,
    common: &Common,
) -> Result<Outcome, String> {
    let options = common.options()?;
    let (scripts, errors) = load_dir(&common.scripts);
    if let Some(error) = errors.first() {
        return Err(format!("{} script(s) do not parse: {error}", errors.len()));
    }
    let mut child = None;
    let addr = match (addr, command) {
        (Some(addr), _) => addr,
        (None, Some(command)) => {
            let port = free_port()?;
            let addr = SocketAddr::from(([127, 0, 0, 1], port));
            let mut started = spawn(command, port)?;
            let ready = wait_listening(addr, &mut started);
            child = Some(started);
            if let Err(error) = ready {
                stop(child);
                return Err(error);
            }
            addr
        }
        (None, None) => return Err("give --addr or --command".into()),
    };
    let outcome = blackbox::run_server(addr, &scripts, &options, print_line);
    stop(child);
    Ok(outcome)
}

fn client(command: Option<&str>, port: Option<u16>, common: &Common) -> Result<Outcome, String> {
    let options = common.options()?;
    let (scripts, errors) = load_dir(&common.scripts);
    if let Some(error) = errors.first() {
        return Err(format!("{} script(s) do not parse: {error}", errors.len()));
    }
    let port = port.unwrap_or(if command.is_some() { 0 } else { 9001 });
    let listener = TcpListener::bind(("127.0.0.1", port)).map_err(|e| format!("listen: {e}"))?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let (selection, cases) = blackbox::plan_client(&scripts, &options);
    eprintln!("wsflow-conformance: {cases} cases at ws://127.0.0.1:{port}");
    let child = command.map(|command| spawn(command, port)).transpose()?;
    let outcome = blackbox::run_client(listener, selection, &options, print_line);
    if let Some(mut child) = child {
        // The client ends by itself after `/updateReports`; give it a moment.
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline && matches!(child.try_wait(), Ok(None)) {
            std::thread::sleep(Duration::from_millis(20));
        }
        stop(Some(child));
    }
    Ok(outcome)
}

/// Ends the process we started, if it still runs.
fn stop(child: Option<Child>) {
    if let Some(mut child) = child {
        if matches!(child.try_wait(), Ok(None)) {
            let _ = child.kill();
        }
        let _ = child.wait();
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (mode, result, common) = match &cli.mode {
        Mode::Server {
            addr,
            command,
            common,
        } => ("server", server(*addr, command.as_deref(), common), common),
        Mode::Client {
            command,
            port,
            common,
        } => ("client", client(command.as_deref(), *port, common), common),
    };
    let outcome = match result {
        Ok(outcome) => outcome,
        Err(error) => {
            eprintln!("wsflow-conformance: {error}");
            return ExitCode::from(2);
        }
    };
    let report = outcome.report(mode);
    println!("{}", blackbox::summary(&report));
    if let Some(error) = &outcome.error {
        println!("wsflow-conformance: {error}");
    }
    if let Some(path) = &common.json {
        if let Err(error) = std::fs::write(path, blackbox::json(&report)) {
            eprintln!("wsflow-conformance: writing {}: {error}", path.display());
            return ExitCode::from(2);
        }
    }
    if outcome.selection.applicable.is_empty() {
        eprintln!("wsflow-conformance: no script applies");
        return ExitCode::from(2);
    }
    if report.passed() && outcome.error.is_none() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
