//! Fan-out (broadcast) benchmark: one publisher sends M messages of B bytes to each of S
//! subscribers on loopback. The server runs on a thread of this process (current-thread
//! tokio); the subscribers run in a child process (the load side), written once with a raw
//! frame reader so they cost the same against every server, and count deliveries.
//!
//! Each server writes the way its library's docs show a send: the publisher walks the
//! subscribers and awaits one `send` per subscriber and message.

use std::io::{self, BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::SinkExt;
use tokio::io::AsyncReadExt;

/// Which broadcasting server to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FanoutServer {
    /// wsflow, one `PreparedMessage` per message, `send_prepared` per subscriber.
    WsflowPrepared,
    /// wsflow, `send` of a clone of the `Message` per subscriber.
    WsflowSend,
    /// tokio-tungstenite, `send` of a clone of the `Message` per subscriber.
    TokioTungstenite,
    /// fastwebsockets, `write_frame` of a frame borrowing the payload per subscriber.
    Fastwebsockets,
}

impl FanoutServer {
    /// Every server, in table order.
    pub const ALL: [FanoutServer; 4] = [
        FanoutServer::WsflowPrepared,
        FanoutServer::WsflowSend,
        FanoutServer::TokioTungstenite,
        FanoutServer::Fastwebsockets,
    ];

    /// The name on the command line and in the table.
    pub fn name(self) -> &'static str {
        match self {
            FanoutServer::WsflowPrepared => "wsflow-prepared",
            FanoutServer::WsflowSend => "wsflow-send",
            FanoutServer::TokioTungstenite => "tokio-tungstenite",
            FanoutServer::Fastwebsockets => "fastwebsockets",
        }
    }

    /// Looks a server up by [`name`](Self::name).
    pub fn from_name(name: &str) -> Option<FanoutServer> {
        FanoutServer::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// One measured case.
#[derive(Clone, Copy, Debug)]
pub struct FanoutReport {
    /// Messages delivered (subscribers × messages), all counted by the load side.
    pub deliveries: u64,
    /// From the first send to the last delivery.
    pub wall: Duration,
    /// CPU time of the server's thread over the broadcast.
    pub server_cpu: Duration,
    /// CPU time of the load side's thread over the same span.
    pub load_cpu: Duration,
}

#[allow(clippy::cast_precision_loss)]
impl FanoutReport {
    /// Deliveries per second.
    pub fn rate(&self) -> f64 {
        self.deliveries as f64 / self.wall.as_secs_f64()
    }

    /// Server CPU per delivery, in nanoseconds.
    pub fn server_ns_per_delivery(&self) -> f64 {
        self.server_cpu.as_nanos() as f64 / self.deliveries as f64
    }

    /// Share of the wall time the load side spent on a CPU; near 1, it was the bottleneck.
    pub fn load_share(&self) -> f64 {
        self.load_cpu.as_secs_f64() / self.wall.as_secs_f64()
    }
}

/// CPU time of the calling thread so far (`/proc/thread-self/schedstat`, nanoseconds).
pub fn thread_cpu() -> io::Result<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat")?;
    let ns = text
        .split_whitespace()
        .next()
        .and_then(|field| field.parse::<u64>().ok())
        .ok_or_else(|| io::Error::other("unreadable schedstat"))?;
    Ok(Duration::from_nanos(ns))
}

/// Runs one case: binds a listener, starts `load_exe --load` (this benchmark's own binary)
/// as the subscribers, serves the broadcast on a thread and measures both sides.
pub fn run_case(
    server: FanoutServer,
    load_exe: &std::path::Path,
    subs: usize,
    msgs: usize,
    size: usize,
) -> io::Result<FanoutReport> {
    let (report_tx, report_rx) = mpsc::channel();
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let (addr_tx, addr_rx) = mpsc::channel();
    let serving = std::thread::spawn(move || -> io::Result<()> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let listener = {
            let _context = runtime.enter();
            listen()?
        };
        let _ = addr_tx.send(listener.local_addr()?);
        runtime.block_on(broadcast(
            server, listener, subs, msgs, size, &report_tx, &done_rx,
        ))
    });
    let addr: SocketAddr = addr_rx
        .recv()
        .map_err(|_| io::Error::other("the server could not listen"))?;
    let mut child = Command::new(load_exe)
        .args(["--load", &addr.to_string()])
        .args(["--subs", &subs.to_string(), "--msgs", &msgs.to_string()])
        .args(["--size", &size.to_string()])
        .stdout(Stdio::piped())
        .spawn()?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| io::Error::other("no stdout"))?;
    let mut lines = BufReader::new(stdout).lines();
    let mut load_cpu = None;
    for line in lines.by_ref() {
        let line = line?;
        if let Some(ns) = line.strip_prefix("done ") {
            load_cpu = ns.parse::<u64>().ok().map(Duration::from_nanos);
            break;
        }
    }
    let end = Instant::now();
    let (start, server_cpu): (Instant, Duration) =
        report_rx
            .recv_timeout(Duration::from_secs(5))
            .map_err(|_| io::Error::other("the server reported nothing"))?;
    let _ = done_tx.send(());
    child.wait()?;
    serving
        .join()
        .map_err(|_| io::Error::other("server thread panicked"))??;
    let load_cpu = load_cpu.ok_or_else(|| io::Error::other("the load side did not finish"))?;
    Ok(FanoutReport {
        deliveries: (subs * msgs) as u64,
        wall: end - start,
        server_cpu,
        load_cpu,
    })
}

/// A listener with a backlog long enough for thousands of connects at once.
fn listen() -> io::Result<tokio::net::TcpListener> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.bind(SocketAddr::from(([127, 0, 0, 1], 0)))?;
    socket.listen(4096)
}

type Started = (Instant, Duration);

/// Accepts `subs` subscribers, then sends `msgs` messages to each, message by message;
/// reports when it started and its CPU time, and keeps the connections until `done`.
async fn broadcast(
    server: FanoutServer,
    listener: tokio::net::TcpListener,
    subs: usize,
    msgs: usize,
    size: usize,
    report: &mpsc::Sender<Started>,
    done: &mpsc::Receiver<()>,
) -> io::Result<()> {
    let payload = Bytes::from(vec![b'x'; size]);
    match server {
        FanoutServer::WsflowPrepared | FanoutServer::WsflowSend => {
            let mut sockets = Vec::with_capacity(subs);
            for _ in 0..subs {
                let stream = accept(&listener).await?;
                sockets.push(
                    wsflow::tokio::accept(stream)
                        .await
                        .map_err(io::Error::other)?,
                );
            }
            let message = wsflow::Message::Binary(payload);
            let cpu = thread_cpu()?;
            let start = Instant::now();
            for _ in 0..msgs {
                if server == FanoutServer::WsflowPrepared {
                    let prepared = wsflow::PreparedMessage::new(message.clone());
                    for ws in &mut sockets {
                        ws.send_prepared(&prepared)
                            .await
                            .map_err(io::Error::other)?;
                    }
                } else {
                    for ws in &mut sockets {
                        ws.send(message.clone()).await.map_err(io::Error::other)?;
                    }
                }
            }
            for ws in &mut sockets {
                ws.flush().await.map_err(io::Error::other)?;
            }
            finish(report, start, cpu)?;
            wait(done);
        }
        FanoutServer::TokioTungstenite => {
            let mut sockets = Vec::with_capacity(subs);
            for _ in 0..subs {
                let ws = tokio_tungstenite::accept_async(accept(&listener).await?).await;
                sockets.push(ws.map_err(io::Error::other)?);
            }
            let message = tokio_tungstenite::tungstenite::Message::Binary(payload);
            let cpu = thread_cpu()?;
            let start = Instant::now();
            for _ in 0..msgs {
                for ws in &mut sockets {
                    ws.send(message.clone()).await.map_err(io::Error::other)?;
                }
            }
            finish(report, start, cpu)?;
            wait(done);
        }
        FanoutServer::Fastwebsockets => {
            use fastwebsockets::{Frame, Payload, Role, WebSocket};
            let mut sockets = Vec::with_capacity(subs);
            for _ in 0..subs {
                let mut stream = accept(&listener).await?;
                crate::handshake::server(&mut stream).await?;
                sockets.push(WebSocket::after_handshake(stream, Role::Server));
            }
            let cpu = thread_cpu()?;
            let start = Instant::now();
            for _ in 0..msgs {
                for ws in &mut sockets {
                    let frame = Frame::binary(Payload::Borrowed(&payload));
                    ws.write_frame(frame).await.map_err(io::Error::other)?;
                }
            }
            finish(report, start, cpu)?;
            wait(done);
        }
    }
    Ok(())
}

async fn accept(listener: &tokio::net::TcpListener) -> io::Result<tokio::net::TcpStream> {
    let (stream, _) = listener.accept().await?;
    stream.set_nodelay(true)?;
    Ok(stream)
}

fn finish(report: &mpsc::Sender<Started>, start: Instant, cpu: Duration) -> io::Result<()> {
    let used = thread_cpu()?.saturating_sub(cpu);
    report
        .send((start, used))
        .map_err(|_| io::Error::other("nobody waits for the report"))
}

/// Keeps the connections open until the load side has counted every delivery.
fn wait(done: &mpsc::Receiver<()>) {
    let _ = done.recv_timeout(Duration::from_secs(600));
}

/// The load side (in the child process): connects `subs` subscribers, prints `connected`,
/// counts `msgs` messages of `size` bytes on each, then prints `done <cpu ns>` (its CPU time
/// from the moment every subscriber was connected).
pub async fn load(addr: &str, subs: usize, msgs: usize, size: usize) -> io::Result<()> {
    let mut streams = Vec::with_capacity(subs);
    // In batches, so the listener's backlog never overflows into SYN retries.
    for batch in (0..subs).collect::<Vec<_>>().chunks(256) {
        let connects = batch.iter().map(|_| async {
            let mut stream = tokio::net::TcpStream::connect(addr).await?;
            stream.set_nodelay(true)?;
            let leftover = handshake(&mut stream, addr).await?;
            Ok::<_, io::Error>((stream, leftover))
        });
        for stream in futures_util::future::join_all(connects).await {
            streams.push(stream?);
        }
    }
    println!("connected");
    io::stdout().flush()?;
    let cpu = thread_cpu()?;
    let counting = streams
        .into_iter()
        .map(|(stream, leftover)| count(stream, leftover, msgs, size));
    for counted in futures_util::future::join_all(counting).await {
        counted?;
    }
    let used = thread_cpu()?.saturating_sub(cpu);
    println!("done {}", used.as_nanos());
    io::stdout().flush()
}

/// Reads unmasked server frames until `msgs` whole binary messages of `size` bytes arrived.
async fn count(
    mut stream: tokio::net::TcpStream,
    leftover: Vec<u8>,
    msgs: usize,
    size: usize,
) -> io::Result<()> {
    let mut buf = vec![0u8; 64 << 10];
    buf[..leftover.len()].copy_from_slice(&leftover);
    let (mut filled, mut seen) = (leftover.len(), 0usize);
    let mut fresh = !leftover.is_empty();
    let mut skip = 0usize; // payload bytes of the current frame still to pass over
    while seen < msgs {
        if !std::mem::take(&mut fresh) {
            let n = stream.read(&mut buf[filled..]).await?;
            if n == 0 {
                return Err(io::Error::other(format!("EOF after {seen} of {msgs}")));
            }
            filled += n;
        }
        let mut at = 0;
        loop {
            if skip > 0 {
                let step = skip.min(filled - at);
                skip -= step;
                at += step;
                if skip > 0 {
                    break;
                }
                continue;
            }
            let Some(head) = crate::wire::frame_head(&buf[at..filled]) else {
                break;
            };
            let (header, len) = (
                head.len,
                usize::try_from(head.payload_len).unwrap_or(usize::MAX),
            );
            if buf[at] != 0x82 || head.masked || len != size {
                return Err(io::Error::other("unexpected frame"));
            }
            seen += 1;
            at += header;
            skip = len;
        }
        buf.copy_within(at..filled, 0);
        filled -= at;
    }
    Ok(())
}

/// The client's opening handshake; returns the bytes that followed the 101 answer (the
/// broadcast may start at once).
async fn handshake(stream: &mut tokio::net::TcpStream, host: &str) -> io::Result<Vec<u8>> {
    use tokio::io::AsyncWriteExt;
    let request = format!(
        "GET / HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: {}\r\nSec-WebSocket-Version: 13\r\n\r\n",
        crate::handshake::CLIENT_KEY
    );
    stream.write_all(request.as_bytes()).await?;
    let mut head = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(io::Error::other("EOF during the handshake"));
        }
        head.extend_from_slice(&chunk[..n]);
        if let Some(end) = head.windows(4).position(|w| w == b"\r\n\r\n") {
            if !head.starts_with(b"HTTP/1.1 101") {
                return Err(io::Error::other("handshake refused"));
            }
            return Ok(head.split_off(end + 4));
        }
    }
}
