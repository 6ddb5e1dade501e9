//! The load generator: N connections, each sending D pre-encoded masked frames of S bytes in
//! one write and waiting for the D echoes, for a fixed time after a warm-up. Every echo's
//! framing and length is checked, and its content on a sample, so a broken server cannot
//! look fast.

use std::fmt::Write as _;
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::cpu;
use crate::open::{Stream, open_all};

/// One case of the matrix.
#[derive(Clone, Debug)]
pub struct LoadConfig {
    /// Server address, `host:port`.
    pub addr: String,
    /// Connections, all kept busy at once.
    pub conns: usize,
    /// Payload bytes per message.
    pub size: usize,
    /// Messages in flight per connection (1 = send, wait for the echo, repeat).
    pub depth: usize,
    /// Time run before counting, so connection setup and buffer growth are not measured.
    pub warmup: Duration,
    /// Time counted.
    pub duration: Duration,
    /// The server is the raw TCP echo: expect our own masked frames back.
    pub raw: bool,
    /// Connect over TLS (wss) with this client config; `None` for plain TCP.
    pub tls: Option<Arc<rustls::ClientConfig>>,
    /// Open the `conns` WebSockets as streams of one HTTP/2 connection (cleartext, prior
    /// knowledge, RFC 8441) instead of one TCP connection each; `tls` is then ignored.
    pub http2: bool,
    /// The server's process, whose CPU time over the counted window is reported; `None`
    /// when it is not a process of its own (or not on this machine).
    pub server_pid: Option<u32>,
}

/// What one case measured.
#[derive(Clone, Copy, Debug)]
pub struct LoadReport {
    /// Echoes completed per second in the counted window.
    pub msgs_per_sec: f64,
    /// Echoes whose framing and length were checked (all of them, warm-up included).
    pub checked: u64,
    /// Echoes whose content was also compared byte for byte.
    pub content_checked: u64,
    /// Echoes completed in the counted window.
    pub counted: u64,
    /// Length of the counted window, seconds.
    pub secs: f64,
    /// CPU seconds this process (the generator) used in the counted window; `None` without
    /// procfs.
    pub gen_cpu_secs: Option<f64>,
    /// CPU seconds the server process used in the counted window; `None` without a
    /// `server_pid` or procfs.
    pub server_cpu_secs: Option<f64>,
    /// Seconds the generator was runnable but waiting for its CPU (other load on the
    /// machine) in the counted window; `None` without schedstat.
    pub gen_wait_secs: Option<f64>,
    /// The same for the server; `None` without a `server_pid` or schedstat.
    pub server_wait_secs: Option<f64>,
}

/// One echo in sixteen has its content compared: the length is always checked, and a
/// full compare of every 1 MiB echo would cost the generator more than the server.
const SAMPLE_EVERY: u64 = 16;

/// The payload of connection `conn`: a pattern that differs per byte and per connection,
/// so a server echoing another connection's data or shifted bytes is caught.
fn payload(conn: usize, size: usize) -> Vec<u8> {
    (0..size).map(|i| (i * 31 + conn * 7 + 1) as u8).collect()
}

/// The generator's mask key. Fixed, so masking is paid once before the clock starts, and a
/// raw TCP echo can be checked against the masked bytes with a plain compare.
const MASK: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

/// `payload` masked with [`MASK`] from its first byte, as it travels in [`masked_frame`].
fn masked(payload: &[u8]) -> Vec<u8> {
    payload
        .iter()
        .zip(MASK.iter().cycle())
        .map(|(b, m)| b ^ m)
        .collect()
}

/// A masked binary frame carrying `payload`, as a client must send it (RFC 6455 §5.3).
/// The mask is fixed: the generator pays for masking once, before the clock starts.
pub fn masked_frame(payload: &[u8]) -> Vec<u8> {
    let mut frame = Vec::with_capacity(payload.len() + 14);
    frame.push(0x82);
    let len = payload.len();
    if len < 126 {
        frame.push(0x80 | len as u8);
    } else if let Ok(len16) = u16::try_from(len) {
        frame.push(0xfe); // mask bit + 16-bit length
        frame.extend_from_slice(&len16.to_be_bytes());
    } else {
        frame.push(0xff); // mask bit + 64-bit length
        frame.extend_from_slice(&(len as u64).to_be_bytes());
    }
    frame.extend_from_slice(&MASK);
    frame.extend_from_slice(&masked(payload));
    frame
}

/// Parses the server's unmasked frames as they stream in, without buffering whole messages.
struct EchoChecker {
    expected: Vec<u8>,
    header: Vec<u8>,
    remaining: u64,
    fin: bool,
    offset: usize,
    /// Whether masked frames are expected (raw TCP echo) rather than refused.
    masked: bool,
    sampling: bool,
    messages: u64,
    content_checked: u64,
}

impl EchoChecker {
    /// Checks echoes of `message`; with `raw`, expects it back masked as it was sent.
    fn new(message: &[u8], raw: bool) -> Self {
        EchoChecker {
            expected: if raw {
                masked(message)
            } else {
                message.to_vec()
            },
            masked: raw,
            header: Vec::with_capacity(14),
            remaining: 0,
            fin: false,
            offset: 0,
            sampling: true,
            messages: 0,
            content_checked: 0,
        }
    }

    /// Feeds received bytes; returns how many echoes they completed.
    fn feed(&mut self, mut data: &[u8]) -> io::Result<u64> {
        let mut done = 0;
        while !data.is_empty() {
            if self.remaining > 0 {
                let take = usize::try_from(self.remaining)
                    .unwrap_or(usize::MAX)
                    .min(data.len());
                let end = self.offset + take;
                if end > self.expected.len() {
                    return Err(io::Error::other("echo longer than the message sent"));
                }
                if self.sampling && data[..take] != self.expected[self.offset..end] {
                    return Err(io::Error::other("echo content differs from the message"));
                }
                self.offset = end;
                self.remaining -= take as u64;
                data = &data[take..];
                if self.remaining == 0 && self.fin {
                    done += self.finish_message()?;
                }
                continue;
            }
            // Header bytes arrive one by one into a scratch buffer so a header split across
            // two reads needs no special case.
            self.header.push(data[0]);
            data = &data[1..];
            if let Some(len) = self.header_complete()? {
                self.header.clear();
                self.remaining = len;
                if len == 0 && self.fin {
                    done += self.finish_message()?;
                }
            }
        }
        Ok(done)
    }

    /// The payload length once the header in the scratch buffer is whole.
    fn header_complete(&mut self) -> io::Result<Option<u64>> {
        let h = &self.header;
        if let Some(&first) = h.first() {
            let opcode = first & 0x0f;
            if opcode == 0x8 {
                return Err(io::Error::other("server sent a close frame"));
            }
            if opcode != 0x2 && opcode != 0x0 {
                return Err(io::Error::other(format!("unexpected opcode {opcode}")));
            }
        }
        if h.get(1)
            .is_some_and(|&second| (second & 0x80 != 0) != self.masked)
        {
            return Err(io::Error::other("server frame masking is wrong"));
        }
        let Some(head) = crate::wire::frame_head(h) else {
            return Ok(None);
        };
        if head.masked && h.get(head.len - 4..head.len) != Some(&MASK[..]) {
            return Err(io::Error::other("raw echo changed the mask key"));
        }
        self.fin = head.fin;
        Ok(Some(head.payload_len))
    }

    fn finish_message(&mut self) -> io::Result<u64> {
        if self.offset != self.expected.len() {
            return Err(io::Error::other(format!(
                "echo of {} bytes for a message of {}",
                self.offset,
                self.expected.len()
            )));
        }
        if self.sampling {
            self.content_checked += 1;
        }
        self.offset = 0;
        self.messages += 1;
        self.sampling = self.messages.is_multiple_of(SAMPLE_EVERY);
        Ok(1)
    }
}

/// Totals shared by the connection tasks; all run on one thread, so the atomics are
/// uncontended.
#[derive(Default)]
struct Totals {
    done: AtomicU64,
    content_checked: AtomicU64,
    stop: AtomicBool,
}

async fn drive(
    stream: Stream,
    conn: usize,
    config: &LoadConfig,
    totals: &Totals,
) -> io::Result<()> {
    match stream {
        Stream::Plain(mut tcp) => {
            let (reader, writer) = tcp.split();
            drive_halves(reader, writer, conn, config, totals).await
        }
        Stream::Tls(tls) => {
            let (reader, writer) = tokio::io::split(tls);
            drive_halves(reader, writer, conn, config, totals).await
        }
        Stream::H2(stream) => {
            let (reader, writer) = tokio::io::split(stream);
            drive_halves(reader, writer, conn, config, totals).await
        }
    }
}

async fn drive_halves<R: AsyncRead + Unpin, W: AsyncWrite + Unpin>(
    mut reader: R,
    mut writer: W,
    conn: usize,
    config: &LoadConfig,
    totals: &Totals,
) -> io::Result<()> {
    let message = payload(conn, config.size);
    let batch: Vec<u8> = masked_frame(&message).repeat(config.depth);
    let mut checker = EchoChecker::new(&message, config.raw);
    let mut buf = vec![0u8; (config.size + 14).clamp(4096, 256 * 1024) * config.depth.min(4)];
    let depth = config.depth as u64;
    while !totals.stop.load(Ordering::Relaxed) {
        // Write and read at once: a server that echoes while the batch is still arriving
        // (raw TCP with 1 MiB) would otherwise fill our receive buffer and stall both sides.
        let write = writer.write_all(&batch);
        let read = async {
            let mut got = 0;
            while got < depth {
                let n = reader.read(&mut buf).await?;
                if n == 0 {
                    return Err(io::Error::other("server closed the connection"));
                }
                let done = checker.feed(&buf[..n])?;
                got += done;
                totals.done.fetch_add(done, Ordering::Relaxed);
            }
            Ok(got)
        };
        let (written, got) = tokio::join!(write, read);
        written?;
        if got? != depth {
            return Err(io::Error::other("more echoes than messages sent"));
        }
    }
    totals
        .content_checked
        .fetch_add(checker.content_checked, Ordering::Relaxed);
    Ok(())
}

/// Runs one case; call it on a current-thread runtime so the generator uses one core.
pub async fn run(config: LoadConfig) -> io::Result<LoadReport> {
    let streams = open_all(&config).await?;
    run_on(config, streams).await
}

/// [`run`] on WebSockets already opened with [`open_all`] for `config`.
pub async fn run_on(config: LoadConfig, streams: Vec<Stream>) -> io::Result<LoadReport> {
    let config = Arc::new(config);
    let totals = Arc::new(Totals::default());
    let mut tasks = Vec::with_capacity(config.conns);
    for (conn, stream) in streams.into_iter().enumerate() {
        let config = Arc::clone(&config);
        let totals = Arc::clone(&totals);
        tasks.push(tokio::spawn(async move {
            let result = drive(stream, conn, &config, &totals).await;
            if result.is_err() {
                // One broken connection invalidates the case: stop the others now.
                totals.stop.store(true, Ordering::Relaxed);
            }
            result
        }));
    }
    tokio::time::sleep(config.warmup).await;
    // CPU is sampled at the same two instants as the count, so the time per message and the
    // shares of a core belong to exactly the counted messages.
    let cpu = || {
        [
            cpu::process_cpu(None).ok(),
            config
                .server_pid
                .and_then(|pid| cpu::process_cpu(Some(pid)).ok()),
            cpu::process_wait(None).ok(),
            config
                .server_pid
                .and_then(|pid| cpu::process_wait(Some(pid)).ok()),
        ]
    };
    let [
        gen_before,
        server_before,
        gen_wait_before,
        server_wait_before,
    ] = cpu();
    let (start, before) = (Instant::now(), totals.done.load(Ordering::Relaxed));
    tokio::time::sleep(config.duration).await;
    let (elapsed, after) = (start.elapsed(), totals.done.load(Ordering::Relaxed));
    let [gen_after, server_after, gen_wait_after, server_wait_after] = cpu();
    totals.stop.store(true, Ordering::Relaxed);
    let spent = |before: Option<Duration>, after: Option<Duration>| {
        Some(after?.saturating_sub(before?).as_secs_f64())
    };
    for task in tasks {
        match tokio::time::timeout(Duration::from_secs(10), task).await {
            Ok(Ok(result)) => result?,
            Ok(Err(join)) => return Err(io::Error::other(join)),
            Err(_) => return Err(io::Error::other("a connection stalled after the run")),
        }
    }
    Ok(LoadReport {
        // Counts stay far below 2^52, where f64 would start to round.
        #[allow(clippy::cast_precision_loss)]
        msgs_per_sec: (after - before) as f64 / elapsed.as_secs_f64(),
        checked: totals.done.load(Ordering::Relaxed),
        content_checked: totals.content_checked.load(Ordering::Relaxed),
        counted: after - before,
        secs: elapsed.as_secs_f64(),
        gen_cpu_secs: spent(gen_before, gen_after),
        server_cpu_secs: spent(server_before, server_after),
        gen_wait_secs: spent(gen_wait_before, gen_wait_after),
        server_wait_secs: spent(server_wait_before, server_wait_after),
    })
}

/// The generator's output line: `key=value` fields, `msgs_per_sec` first (scripts read it
/// by position), a CPU field only when it was measured.
pub fn report_line(report: &LoadReport) -> String {
    let mut line = format!(
        "msgs_per_sec={:.0} checked={} content_checked={} counted={} secs={:.3}",
        report.msgs_per_sec, report.checked, report.content_checked, report.counted, report.secs
    );
    for (key, value) in [
        ("gen_cpu_secs", report.gen_cpu_secs),
        ("server_cpu_secs", report.server_cpu_secs),
        ("gen_wait_secs", report.gen_wait_secs),
        ("server_wait_secs", report.server_wait_secs),
    ] {
        if let Some(value) = value {
            // Writing to a String cannot fail.
            let _ = write!(line, " {key}={value:.4}");
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server_frame(payload: &[u8]) -> Vec<u8> {
        let mut frame = masked_frame(payload);
        // Unmask: drop the mask bit and key, restore the payload.
        let header_len = frame.len() - payload.len() - 4;
        frame[1] &= 0x7f;
        frame.truncate(header_len);
        frame.extend_from_slice(payload);
        frame
    }

    #[test]
    fn checker_accepts_echoes_split_anywhere() {
        for size in [0, 16, 200, 70_000] {
            let message = payload(3, size);
            let wire = server_frame(&message).repeat(3);
            for split in [1, 2, 7, 1000] {
                let mut checker = EchoChecker::new(&message, false);
                let done: u64 = wire.chunks(split).map(|c| checker.feed(c).unwrap()).sum();
                assert_eq!(done, 3, "size {size} split {split}");
            }
        }
    }

    #[test]
    fn checker_rejects_wrong_content_and_length() {
        let message = payload(0, 32);
        let mut bad = server_frame(&message);
        *bad.last_mut().unwrap() ^= 1;
        assert!(EchoChecker::new(&message, false).feed(&bad).is_err());
        let short = server_frame(&message[..31]);
        assert!(EchoChecker::new(&message, false).feed(&short).is_err());
    }

    #[test]
    fn checker_takes_masked_frames_back_from_raw_echo() {
        let message = payload(5, 300);
        let wire = masked_frame(&message).repeat(2);
        let mut checker = EchoChecker::new(&message, true);
        let done: u64 = wire.chunks(5).map(|c| checker.feed(c).unwrap()).sum();
        assert_eq!(done, 2);
        assert!(EchoChecker::new(&message, false).feed(&wire).is_err());
    }
}
