//! The per-runtime glue of the soak run: a listener with its accept loop, the client slots,
//! and the spawns. Everything a connection does is in `session.rs`, shared by all three.

use std::io;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use wsflow::core::Config;
use wsflow::{AcceptOptions, ConnectOptions, DeflateConfig};

use super::{Plan, Tally, client_slot, serve_connection, wait_for_server_drain};

/// The runtimes the soak test runs on.
pub const RUNTIMES: [&str; 3] = ["tokio", "smol", "async-std"];

/// The connection config on both ends: keepalive on, so its timers run all along.
fn config() -> Config {
    Config::new().keepalive(Duration::from_secs(5), Duration::from_secs(20))
}

fn accept_options() -> AcceptOptions {
    let mut options = AcceptOptions::new().config(config());
    options.deflate = Some(DeflateConfig::default());
    options
}

fn connect_options(deflate: bool) -> ConnectOptions {
    let mut options = ConnectOptions::default();
    options.config = config();
    options.connect_timeout = Some(Duration::from_secs(30));
    if deflate {
        options.deflate = Some(DeflateConfig::default());
    }
    options
}

/// A per-connection seed for the server side, from the run's seed and an accept count.
fn server_seed(plan: &Plan, accepted: u64) -> u64 {
    plan.seed.rotate_left(17) ^ accepted.wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// How long the server may take to see every client's end after the last client finished:
/// an aborted client is noticed at once (EOF); a silent one within the keepalive timeout.
const DRAIN_LIMIT: Duration = Duration::from_secs(30);

/// Runs `plan` on the runtime named `runtime`, counting into `tally`; returns once every
/// client slot has finished and the server has seen every connection end (or
/// 30 s passed, which is recorded as a failure).
pub fn run(runtime: &str, plan: &Arc<Plan>, tally: &Arc<Tally>) -> io::Result<()> {
    match runtime {
        "tokio" => run_tokio(plan, tally),
        "smol" => run_smol(plan, tally),
        "async-std" => run_async_std(plan, tally),
        other => Err(io::Error::other(format!(
            "unknown runtime {other} (expected one of {RUNTIMES:?})"
        ))),
    }
}

fn check_drained(tally: &Tally) {
    if !wait_for_server_drain(tally, DRAIN_LIMIT) {
        tally.fail(format!(
            "{} server connections still open {DRAIN_LIMIT:?} after the last client ended",
            tally.server_open.load(Ordering::Relaxed)
        ));
    }
}

fn run_tokio(plan: &Arc<Plan>, tally: &Arc<Tally>) -> io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("ws://{}/", listener.local_addr()?);
        let (server_plan, server_tally) = (Arc::clone(plan), Arc::clone(tally));
        tokio::spawn(async move {
            let options = accept_options();
            for accepted in 0u64.. {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let (options, plan, tally) = (
                    options.clone(),
                    Arc::clone(&server_plan),
                    Arc::clone(&server_tally),
                );
                tokio::spawn(async move {
                    match wsflow::tokio::accept_with(stream, &options, wsflow::accept_any).await {
                        Ok(ws) => {
                            serve_connection(ws, server_seed(&plan, accepted), plan, tally).await;
                        }
                        Err(error) => tally.fail(format!("server handshake failed: {error}")),
                    }
                });
            }
        });
        let started = Instant::now();
        let slots: Vec<_> =
            (0..plan.connections)
                .map(|slot| {
                    let url = url.clone();
                    tokio::spawn(client_slot(
                        slot,
                        Arc::clone(plan),
                        Arc::clone(tally),
                        started,
                        move |deflate| {
                            let url = url.clone();
                            async move {
                                wsflow::tokio::connect_with(&url, &connect_options(deflate)).await
                            }
                        },
                    ))
                })
                .collect();
        for slot in slots {
            slot.await.map_err(io::Error::other)?;
        }
        io::Result::Ok(())
    })?;
    // The runtime's workers keep serving while this thread waits.
    check_drained(tally);
    Ok(())
}

fn run_smol(plan: &Arc<Plan>, tally: &Arc<Tally>) -> io::Result<()> {
    smol::block_on(async {
        let listener = smol::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("ws://{}/", listener.local_addr()?);
        let (server_plan, server_tally) = (Arc::clone(plan), Arc::clone(tally));
        smol::spawn(async move {
            let options = accept_options();
            for accepted in 0u64.. {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let (options, plan, tally) = (
                    options.clone(),
                    Arc::clone(&server_plan),
                    Arc::clone(&server_tally),
                );
                smol::spawn(async move {
                    match wsflow::smol::accept_with(stream, &options, wsflow::accept_any).await {
                        Ok(ws) => {
                            serve_connection(ws, server_seed(&plan, accepted), plan, tally).await;
                        }
                        Err(error) => tally.fail(format!("server handshake failed: {error}")),
                    }
                })
                .detach();
            }
        })
        .detach();
        let started = Instant::now();
        let slots: Vec<_> =
            (0..plan.connections)
                .map(|slot| {
                    let url = url.clone();
                    smol::spawn(client_slot(
                        slot,
                        Arc::clone(plan),
                        Arc::clone(tally),
                        started,
                        move |deflate| {
                            let url = url.clone();
                            async move {
                                wsflow::smol::connect_with(&url, &connect_options(deflate)).await
                            }
                        },
                    ))
                })
                .collect();
        for slot in slots {
            slot.await;
        }
        io::Result::Ok(())
    })?;
    // smol's global executor threads keep serving while this thread waits.
    check_drained(tally);
    Ok(())
}

fn run_async_std(plan: &Arc<Plan>, tally: &Arc<Tally>) -> io::Result<()> {
    async_std::task::block_on(async {
        let listener = async_std::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("ws://{}/", listener.local_addr()?);
        let (server_plan, server_tally) = (Arc::clone(plan), Arc::clone(tally));
        async_std::task::spawn(async move {
            let options = accept_options();
            for accepted in 0u64.. {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let (options, plan, tally) = (
                    options.clone(),
                    Arc::clone(&server_plan),
                    Arc::clone(&server_tally),
                );
                async_std::task::spawn(async move {
                    match wsflow::async_std::accept_with(stream, &options, wsflow::accept_any).await
                    {
                        Ok(ws) => {
                            serve_connection(ws, server_seed(&plan, accepted), plan, tally).await;
                        }
                        Err(error) => tally.fail(format!("server handshake failed: {error}")),
                    }
                });
            }
        });
        let started = Instant::now();
        let slots: Vec<_> = (0..plan.connections)
            .map(|slot| {
                let url = url.clone();
                async_std::task::spawn(client_slot(
                    slot,
                    Arc::clone(plan),
                    Arc::clone(tally),
                    started,
                    move |deflate| {
                        let url = url.clone();
                        async move {
                            wsflow::async_std::connect_with(&url, &connect_options(deflate)).await
                        }
                    },
                ))
            })
            .collect();
        for slot in slots {
            slot.await;
        }
        io::Result::Ok(())
    })?;
    check_drained(tally);
    Ok(())
}
