//! Cross-runtime loopback: real 127.0.0.1 sockets, a client adapter on one runtime against a
//! server adapter on another, for every ordered pair of tokio, smol and async-std (9 pairs),
//! each with permessage-deflate off and on, and each close direction.
//!
//! Every connection exchanges a text message, a 1 MiB binary message and a ping, then closes.
//! A server-initiated close must reach the client as a real FIN: the client reports a clean
//! close with the server's code, well before its close timeout (which would report `timeout`
//! if the server never shut its write half down).

use std::future::Future;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use bytes::Bytes;
use wsflow::core::extension::deflate::DeflateConfig;
use wsflow::{
    Accept, AcceptOptions, ConnectOptions, Reject, Runtime, Transport, UpgradeRequest, WebSocket,
};

/// Whether the server saw a permessage-deflate offer; set by its accept callback.
type Offered = std::sync::Arc<std::sync::atomic::AtomicBool>;
use wsflow_core::{CloseCause, CloseCode, Config, Event, Initiator, Message};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rt {
    Tokio,
    Smol,
    AsyncStd,
}

const RUNTIMES: [Rt; 3] = [Rt::Tokio, Rt::Smol, Rt::AsyncStd];

/// What one connection does.
#[derive(Debug, Clone, Copy)]
struct Case {
    client: Rt,
    server: Rt,
    deflate: bool,
    server_closes: bool,
}

/// The close timeout of both ends: a client still waiting for the server's FIN would report
/// `timeout` after it.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// How long one connection may take before the test gives up on it.
const WATCHDOG: Duration = Duration::from_secs(15);

/// The server's close code when it initiates the close.
const SERVER_CODE: u16 = 4001;

/// The text that asks the server to close.
const CLOSE_PLEASE: &str = "close please";

fn config() -> Config {
    let mut config = Config::default();
    config.max_message_size = 4 << 20;
    config.max_frame_size = 4 << 20;
    config.close_timeout = CLOSE_TIMEOUT;
    config
}

fn block_on<F: Future>(rt: Rt, future: F) -> F::Output {
    match rt {
        Rt::Tokio => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime")
            .block_on(future),
        Rt::Smol => smol::block_on(future),
        Rt::AsyncStd => async_std::task::block_on(future),
    }
}

fn text(error: impl std::fmt::Display) -> String {
    error.to_string()
}

/// The server: echoes messages until the client closes, or closes itself when asked.
async fn serve<T: Transport, R: Runtime>(
    mut ws: WebSocket<T, R>,
    case: Case,
) -> Result<(), String> {
    loop {
        match ws.recv_event().await.map_err(text)? {
            Some(Event::Message(message)) => {
                if message.as_bytes() == CLOSE_PLEASE.as_bytes() {
                    let closed = ws
                        .close(CloseCode::from(SERVER_CODE), "server bye")
                        .await
                        .map_err(text)?;
                    let clean = matches!(
                        closed.cause,
                        CloseCause::Clean {
                            initiator: Initiator::Local
                        }
                    );
                    return if clean {
                        Ok(())
                    } else {
                        Err(format!("server: close ended {closed:?}"))
                    };
                }
                ws.send(message).await.map_err(text)?;
            }
            Some(Event::Closed(closed)) => {
                let clean = matches!(
                    closed.cause,
                    CloseCause::Clean {
                        initiator: Initiator::Remote
                    }
                );
                return if clean && !case.server_closes && closed.code.as_u16() == 1000 {
                    Ok(())
                } else {
                    Err(format!("server: connection ended {closed:?}"))
                };
            }
            Some(_) => {}
            None => return Err("server: the connection ended without a report".into()),
        }
    }
}

/// The next message, skipping other events.
async fn next_message<T: Transport, R: Runtime>(
    ws: &mut WebSocket<T, R>,
) -> Result<Message, String> {
    loop {
        match ws.recv_event().await.map_err(text)? {
            Some(Event::Message(message)) => return Ok(message),
            Some(Event::Closed(closed)) => return Err(format!("client: closed early {closed:?}")),
            Some(_) => {}
            None => return Err("client: the connection ended".into()),
        }
    }
}

/// The client: text, 1 MiB binary, ping, then a close in the case's direction.
async fn drive<T: Transport, R: Runtime>(
    mut ws: WebSocket<T, R>,
    case: Case,
) -> Result<(), String> {
    ws.send(Message::from("hello".to_owned()))
        .await
        .map_err(text)?;
    let echo = next_message(&mut ws).await?;
    if echo.as_bytes()[..] != b"hello"[..] {
        return Err(format!("client: text echo {echo:?}"));
    }
    let big: Vec<u8> = (0..1u32 << 20).map(|i| (i % 251) as u8).collect();
    ws.send(Message::Binary(Bytes::from(big.clone())))
        .await
        .map_err(text)?;
    let echo = next_message(&mut ws).await?;
    if echo.as_bytes() != big.as_slice() {
        return Err(format!(
            "client: binary echo of {} bytes differs",
            echo.as_bytes().len()
        ));
    }
    ws.ping(Bytes::from_static(b"loop")).await.map_err(text)?;
    loop {
        match ws.recv_event().await.map_err(text)? {
            Some(Event::Pong(payload)) if payload.as_ref() == b"loop" => break,
            Some(Event::Closed(closed)) => return Err(format!("client: closed early {closed:?}")),
            None => return Err("client: the connection ended before the pong".into()),
            Some(_) => {}
        }
    }
    if !case.server_closes {
        let closed = ws.close(CloseCode::from(1000), "bye").await.map_err(text)?;
        let clean = matches!(
            closed.cause,
            CloseCause::Clean {
                initiator: Initiator::Local
            }
        );
        return if clean && closed.code.as_u16() == 1000 {
            Ok(())
        } else {
            Err(format!("client: close ended {closed:?}"))
        };
    }
    let started = Instant::now();
    ws.send(Message::from(CLOSE_PLEASE.to_owned()))
        .await
        .map_err(text)?;
    let mut close_received = false;
    loop {
        match ws.recv_event().await.map_err(text)? {
            Some(Event::CloseReceived(frame)) => {
                close_received = frame.code.as_u16() == SERVER_CODE;
            }
            Some(Event::Closed(closed)) => {
                let clean = matches!(
                    closed.cause,
                    CloseCause::Clean {
                        initiator: Initiator::Remote
                    }
                );
                // Clean (not `timeout`) and quick: the server's FIN arrived.
                let quick = started.elapsed() < CLOSE_TIMEOUT / 2;
                return if close_received && clean && quick && closed.code.as_u16() == SERVER_CODE {
                    Ok(())
                } else {
                    Err(format!(
                        "client: server-initiated close ended {closed:?} after {:?} (close frame seen: {close_received})",
                        started.elapsed()
                    ))
                };
            }
            Some(_) => {}
            None => return Err("client: the connection ended without a report".into()),
        }
    }
}

fn accept_options(case: Case) -> AcceptOptions {
    let options = AcceptOptions::new().config(config());
    if case.deflate {
        options.deflate(DeflateConfig::default())
    } else {
        options
    }
}

fn connect_options(case: Case) -> ConnectOptions {
    let options = ConnectOptions::new().config(config());
    if case.deflate {
        options.deflate(DeflateConfig::default())
    } else {
        options
    }
}

/// The server's decision: accept anything, noting whether the client offered
/// permessage-deflate (the server then negotiates it from its options).
fn decide(offered: &Offered) -> impl FnOnce(&UpgradeRequest) -> Result<Accept, Reject> + use<> {
    let offered = offered.clone();
    move |request| {
        let deflate = request
            .extensions
            .iter()
            .any(|offer| offer.name == "permessage-deflate");
        offered.store(deflate, std::sync::atomic::Ordering::SeqCst);
        Ok(Accept::new())
    }
}

/// The server's side of `case`, on its runtime: binds, reports the port, serves one client.
fn server(case: Case, port: &mpsc::Sender<u16>) -> Result<(), String> {
    let options = accept_options(case);
    let bound = |addr: std::net::SocketAddr| addr.port();
    let offered = Offered::default();
    block_on(case.server, async {
        match case.server {
            Rt::Tokio => {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .map_err(text)?;
                port.send(bound(listener.local_addr().map_err(text)?))
                    .map_err(text)?;
                let (stream, _) = listener.accept().await.map_err(text)?;
                let ws = wsflow::tokio::accept_with(stream, &options, decide(&offered))
                    .await
                    .map_err(text)?;
                serve(ws, case).await
            }
            Rt::Smol => {
                let listener = smol::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .map_err(text)?;
                port.send(bound(listener.local_addr().map_err(text)?))
                    .map_err(text)?;
                let (stream, _) = listener.accept().await.map_err(text)?;
                let ws = wsflow::smol::accept_with(stream, &options, decide(&offered))
                    .await
                    .map_err(text)?;
                serve(ws, case).await
            }
            Rt::AsyncStd => {
                let listener = async_std::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .map_err(text)?;
                port.send(bound(listener.local_addr().map_err(text)?))
                    .map_err(text)?;
                let (stream, _) = listener.accept().await.map_err(text)?;
                let ws = wsflow::async_std::accept_with(stream, &options, decide(&offered))
                    .await
                    .map_err(text)?;
                serve(ws, case).await
            }
        }
    })?;
    if offered.load(std::sync::atomic::Ordering::SeqCst) != case.deflate {
        return Err(format!(
            "server: permessage-deflate offered: {}",
            !case.deflate
        ));
    }
    Ok(())
}

/// The client's side of `case`, on its runtime.
fn client(case: Case, port: u16) -> Result<(), String> {
    let options = connect_options(case);
    let url = format!("ws://127.0.0.1:{port}/loopback");
    block_on(case.client, async move {
        match case.client {
            Rt::Tokio => {
                let ws = wsflow::tokio::connect_with(&url, &options)
                    .await
                    .map_err(text)?;
                drive(ws, case).await
            }
            Rt::Smol => {
                let ws = wsflow::smol::connect_with(&url, &options)
                    .await
                    .map_err(text)?;
                drive(ws, case).await
            }
            Rt::AsyncStd => {
                let ws = wsflow::async_std::connect_with(&url, &options)
                    .await
                    .map_err(text)?;
                drive(ws, case).await
            }
        }
    })
}

/// Runs one case with a watchdog; `Err` says what went wrong.
fn run(case: Case) -> Result<(), String> {
    let (port_tx, port_rx) = mpsc::channel();
    let (done_tx, done_rx) = mpsc::channel();
    let server_done = done_tx.clone();
    thread::spawn(move || {
        let _ = server_done.send(("server", server(case, &port_tx)));
    });
    let port = port_rx
        .recv_timeout(WATCHDOG)
        .map_err(|_| "the server did not bind".to_owned())?;
    thread::spawn(move || {
        let _ = done_tx.send(("client", client(case, port)));
    });
    let mut errors = Vec::new();
    for _ in 0..2 {
        match done_rx.recv_timeout(WATCHDOG) {
            Ok((_, Ok(()))) => {}
            Ok((side, Err(error))) => errors.push(format!("{side}: {error}")),
            Err(_) => {
                errors.push(format!("timed out after {WATCHDOG:?}"));
                break;
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}

#[test]
fn every_runtime_pair_over_real_sockets() {
    let started = Instant::now();
    let mut failures = Vec::new();
    let mut runs = 0;
    for client in RUNTIMES {
        for server in RUNTIMES {
            for deflate in [false, true] {
                for server_closes in [false, true] {
                    let case = Case {
                        client,
                        server,
                        deflate,
                        server_closes,
                    };
                    runs += 1;
                    if let Err(error) = run(case) {
                        failures.push(format!("{case:?}: {error}"));
                    }
                }
            }
        }
    }
    for failure in &failures {
        report(&format!("loopback FAIL {failure}"));
    }
    report(&format!(
        "loopback: {runs} connections (9 runtime pairs x deflate off/on x close by client/server), {} failed, in {:?}",
        failures.len(),
        started.elapsed()
    ));
    assert!(
        failures.is_empty(),
        "{} loopback case(s) failed",
        failures.len()
    );
}

/// Writes a line to the process's real stderr (the harness captures `eprintln!`), so the
/// summary shows without `--nocapture`.
fn report(line: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}
