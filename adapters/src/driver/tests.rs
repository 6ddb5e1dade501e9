//! Unit tests of the driver over a scripted transport.
use std::collections::VecDeque;
use std::future::Pending;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Waker;

use wsflow_core::{Config, Message, Role};

use super::scratch::{FALLBACK_READ_SIZE, READ_SIZE};

use super::*;

/// A transport that hands out scripted input as fast as asked and then blocks. It never
/// wakes anyone: input pushed later is only seen by whoever polls next.
#[derive(Default)]
struct Script {
    input: Arc<Mutex<VecDeque<u8>>>,
    written: Vec<u8>,
    writes: usize,
    /// Where each read that returned bytes wrote them: (address, length).
    reads: Vec<(usize, usize)>,
    /// The most one read returns, as a socket returns what its buffer holds (0: no limit).
    read_limit: usize,
}

impl Script {
    fn with_input(bytes: Vec<u8>) -> Self {
        Script {
            input: Arc::new(Mutex::new(bytes.into())),
            ..Script::default()
        }
    }
}

impl Transport for Script {
    fn poll_read(&mut self, _: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        let mut input = self.input.lock().expect("input");
        if input.is_empty() {
            return Poll::Pending;
        }
        let mut n = buf.len().min(input.len());
        if self.read_limit > 0 {
            n = n.min(self.read_limit);
        }
        for (slot, byte) in buf.iter_mut().zip(input.drain(..n)) {
            *slot = byte;
        }
        self.reads.push((buf.as_ptr() as usize, n));
        Poll::Ready(Ok(n))
    }

    fn poll_write(&mut self, _: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.writes += 1;
        self.written.extend_from_slice(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_write_vectored(
        &mut self,
        _: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.writes += 1;
        let before = self.written.len();
        for buf in bufs {
            self.written.extend_from_slice(buf);
        }
        Poll::Ready(Ok(self.written.len() - before))
    }

    fn poll_flush(&mut self, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(&mut self, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// A waker that counts its wakes.
struct Count(AtomicUsize);

impl std::task::Wake for Count {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

/// A runtime whose timers never fire.
struct NoTimers;

impl Runtime for NoTimers {
    type Timer = Pending<()>;

    fn sleep_until(_: Instant) -> Pending<()> {
        std::future::pending()
    }
}

fn client_frames(messages: &[Message]) -> Vec<u8> {
    let mut client = Connection::new(Role::Client, Config::default(), Instant::now());
    for message in messages {
        client.send(message.clone()).expect("queue");
    }
    let mut bytes = Vec::new();
    while !client.pending_output().is_empty() {
        let chunk = client.pending_output().to_vec();
        client.consume_output(chunk.len());
        bytes.extend(chunk);
    }
    bytes
}

#[test]
fn reads_share_the_threads_scratch_and_a_nested_read_gets_its_own() {
    let sizes = with_scratch(|outer| {
        outer[0] = 1;
        let inner = with_scratch(|inner| {
            inner[0] = 2;
            inner.len()
        });
        assert_eq!(
            outer[0], 1,
            "the nested read wrote into the outer one's buffer"
        );
        (outer.len(), inner)
    });
    assert_eq!(sizes, (READ_SIZE, FALLBACK_READ_SIZE));
    let again = with_scratch(|buf| buf.len());
    assert_eq!(again, READ_SIZE, "released after use");
}

#[test]
fn a_large_message_arrives_whole_through_the_scratch() {
    let big = Message::from((0..300u32 << 10).map(|i| i as u8).collect::<Vec<u8>>());
    let script = Script::with_input(client_frames(std::slice::from_ref(&big)));
    let conn = Connection::new(Role::Server, Config::default(), Instant::now());
    let mut driver = Driver::<Script, NoTimers>::new(script, conn);
    let mut cx = Context::from_waker(Waker::noop());
    let received = loop {
        if let Some(event) = driver.next_event() {
            break event;
        }
        assert!(driver.drive(&mut cx, true).expect("drive"), "stalled");
    };
    assert_eq!(received, Event::Message(big));
}

#[test]
fn pending_frames_leave_in_one_vectored_write() {
    let conn = Connection::new(Role::Server, Config::default(), Instant::now());
    let mut driver = Driver::<Script, NoTimers>::new(Script::default(), conn);
    for i in 0..10u8 {
        driver.conn.send(vec![i; 10]).expect("queue");
    }
    driver
        .conn
        .send(vec![1; 100 << 10])
        .expect("a large payload, queued by reference");
    driver.conn.send("after").expect("queue");
    let mut cx = Context::from_waker(Waker::noop());
    assert!(driver.write_out(&mut cx).expect("write"));
    assert_eq!(
        driver.transport.writes, 1,
        "one system call for everything queued"
    );
    assert_eq!(
        driver.transport.written.len(),
        10 * 12 + 10 + (100 << 10) + 7
    );
    assert_eq!(driver.conn.buffered_amount(), 0);
}

/// Echoes with the plain loop, `poll_recv` then `poll_command(send)`, until `recv` would
/// wait for the network; returns how many messages were echoed.
fn echo_until_pending(driver: &mut Driver<Script, NoTimers>) -> usize {
    let mut cx = Context::from_waker(Waker::noop());
    let mut echoed = 0;
    while let Poll::Ready(received) = driver.poll_recv(&mut cx) {
        let message = received.expect("recv").expect("a message");
        let mut send = Some(move |conn: &mut Connection| conn.send(message));
        assert!(driver.poll_command(&mut cx, true, &mut send).is_ready());
        echoed += 1;
    }
    echoed
}

#[test]
fn replies_to_a_burst_leave_in_one_write_and_a_lone_reply_at_once() {
    let burst: Vec<Message> = (0..32u8).map(|i| Message::from(vec![i; 16])).collect();
    let script = Script::with_input(client_frames(&burst));
    let input = Arc::clone(&script.input);
    let conn = Connection::new(Role::Server, Config::default(), Instant::now());
    let mut driver = Driver::<Script, NoTimers>::new(script, conn);
    assert_eq!(echo_until_pending(&mut driver), 32);
    assert_eq!(driver.transport.writes, 1, "32 replies, one write");
    assert_eq!(driver.transport.written.len(), 32 * 18);
    assert_eq!(driver.conn.buffered_amount(), 0, "nothing left behind");

    // A message that arrives alone is answered before `recv` is called again.
    input
        .lock()
        .expect("input")
        .extend(client_frames(&[Message::from("alone")]));
    let mut cx = Context::from_waker(Waker::noop());
    let Poll::Ready(Ok(Some(message))) = driver.poll_recv(&mut cx) else {
        panic!("the lone message")
    };
    let mut send = Some(move |conn: &mut Connection| conn.send(message));
    assert!(driver.poll_command(&mut cx, true, &mut send).is_ready());
    assert_eq!(driver.transport.writes, 2);
    assert_eq!(
        driver.conn.buffered_amount(),
        0,
        "written without another recv"
    );
}

#[test]
fn without_coalescing_every_reply_is_written_at_once() {
    let burst: Vec<Message> = (0..8u8).map(|i| Message::from(vec![i; 16])).collect();
    let conn = Connection::new(Role::Server, Config::default(), Instant::now());
    let mut driver =
        Driver::<Script, NoTimers>::new(Script::with_input(client_frames(&burst)), conn);
    driver.coalesce_writes = false;
    assert_eq!(echo_until_pending(&mut driver), 8);
    assert_eq!(driver.transport.writes, 8);
}

#[test]
fn a_split_send_half_writes_at_once() {
    let burst: Vec<Message> = (0..4u8).map(|i| Message::from(vec![i; 16])).collect();
    let script = Script::with_input(client_frames(&burst));
    let conn = Connection::new(Role::Server, Config::default(), Instant::now());
    let ws = crate::WebSocket::<Script, NoTimers>::from_connection(script, conn);
    let (send, mut recv) = ws.split();
    let mut cx = Context::from_waker(Waker::noop());
    let Poll::Ready(Ok(Some(_))) = recv.poll_recv(&mut cx) else {
        panic!("the first message")
    };
    send.0.handle.with(|driver| {
        assert!(driver.conn.has_pending_events(), "three more wait");
        assert!(
            !driver.defers_writes(),
            "the send half must not wait on the receiver"
        );
    });
    let whole = send.reunite(recv).expect("same connection");
    whole
        .handle
        .with(|driver| assert!(driver.defers_writes(), "reunited: coalescing again"));
}

/// A runtime whose timers are always due.
struct DueTimers;

impl Runtime for DueTimers {
    type Timer = std::future::Ready<()>;

    fn sleep_until(_: Instant) -> std::future::Ready<()> {
        std::future::ready(())
    }
}

/// Found by the density benchmark: with 16,000 connections per thread on a loaded machine,
/// the keepalive timer and the socket holding the peer's pong were ready in the same
/// wake-up, the timer was judged first, and live peers were failed as dead.
#[test]
fn a_pong_that_arrived_before_the_keepalive_deadline_counts() {
    let start = Instant::now();
    let mut config = Config::default();
    config.keepalive = Some(wsflow_core::Keepalive {
        interval: std::time::Duration::from_millis(1),
        timeout: std::time::Duration::from_millis(1),
    });
    let mut conn = Connection::new(Role::Server, config, start);
    // The first ping (payload: ping number 1) goes out; its answer is due 1 ms later.
    conn.handle_timeout(start + std::time::Duration::from_millis(1));
    std::thread::sleep(std::time::Duration::from_millis(5));
    // The pong is in the socket, unread, when the deadline has passed.
    let pong = vec![0x8a, 0x84, 0, 0, 0, 0, 0, 0, 0, 1];
    let mut driver = Driver::<Script, DueTimers>::new(Script::with_input(pong), conn);
    let mut cx = Context::from_waker(Waker::noop());
    driver.drive(&mut cx, true).expect("a pass");
    assert_eq!(driver.conn.state(), wsflow_core::State::Open);
    assert!(matches!(driver.conn.poll_event(), Some(Event::Pong(_))));
}

#[test]
fn a_large_payload_is_read_straight_into_the_message() {
    let large = Message::from(vec![7u8; 1 << 20]);
    let script = Script::with_input(client_frames(std::slice::from_ref(&large)));
    let conn = Connection::new(Role::Server, Config::default(), Instant::now());
    let mut driver = Driver::<Script, NoTimers>::new(script, conn);
    let mut cx = Context::from_waker(Waker::noop());
    let received = loop {
        if let Poll::Ready(result) = driver.poll_recv(&mut cx) {
            break result.expect("recv").expect("a message");
        }
    };
    assert_eq!(received, large);
    let payload = received.as_bytes().as_ptr_range();
    let payload = payload.start as usize..payload.end as usize;
    let reads = &driver.transport.reads;
    // The header comes through the thread's scratch buffer with the payload's first bytes,
    // copied once into the core, and so do the last few bytes (under 4 KiB); every read in
    // between lands where the message is handed out.
    let (direct, copied): (Vec<_>, Vec<_>) = reads
        .iter()
        .partition(|(at, len)| payload.contains(at) && payload.contains(&(at + len - 1)));
    let copied_bytes: usize = copied.iter().map(|(_, len)| len).sum();
    assert!(
        copied.len() <= 2 && copied_bytes <= READ_SIZE + (4 << 10),
        "reads not into the payload: {copied:?}"
    );
    assert!(direct.len() >= 2, "{direct:?}");
}

#[test]
fn a_huge_message_yields_to_other_tasks_on_the_way() {
    let huge = Message::from(vec![1u8; 8 << 20]);
    let mut script = Script::with_input(client_frames(std::slice::from_ref(&huge)));
    // Reads of 64 KiB, as from a socket's receive buffer: 128 of them, two polls' worth.
    script.read_limit = 64 << 10;
    let conn = Connection::new(Role::Server, Config::default(), Instant::now());
    let mut driver = Driver::<Script, NoTimers>::new(script, conn);
    let wakes = Arc::new(Count(AtomicUsize::new(0)));
    let waker = Waker::from(Arc::clone(&wakes));
    let mut cx = Context::from_waker(&waker);
    let mut polls = 0;
    let received = loop {
        polls += 1;
        if let Poll::Ready(result) = driver.poll_recv(&mut cx) {
            break result.expect("recv");
        }
    };
    assert_eq!(received, Some(huge));
    assert!(polls > 1, "8 MiB were read in one poll");
    assert_eq!(
        wakes.0.load(Ordering::Relaxed),
        polls - 1,
        "each yield wakes the task"
    );
}

#[test]
fn a_half_that_takes_the_others_news_wakes_it_once() {
    let script = Script::default();
    let input = Arc::clone(&script.input);
    let conn = Connection::new(Role::Server, Config::default(), Instant::now());
    let ws = crate::WebSocket::<Script, NoTimers>::from_connection(script, conn);
    let (mut send, mut recv) = ws.split();
    let recv_wakes = Arc::new(Count(AtomicUsize::new(0)));
    let recv_waker = Waker::from(Arc::clone(&recv_wakes));
    let send_waker = Waker::from(Arc::new(Count(AtomicUsize::new(0))));

    assert!(
        recv.poll_recv(&mut Context::from_waker(&recv_waker))
            .is_pending()
    );
    let news = client_frames(&[Message::from("news")]);
    input.lock().expect("input").extend(news);
    send.start_send("busy").expect("queue");
    // The send half's flush reads the message the receive half waits for.
    assert!(
        send.poll_flush(&mut Context::from_waker(&send_waker))
            .is_ready()
    );
    assert_eq!(
        recv_wakes.0.load(Ordering::Relaxed),
        1,
        "the receive half was not told"
    );
    assert!(
        send.poll_flush(&mut Context::from_waker(&send_waker))
            .is_ready()
    );
    assert_eq!(
        recv_wakes.0.load(Ordering::Relaxed),
        1,
        "woken again for nothing"
    );
    let got = recv.poll_recv(&mut Context::from_waker(&recv_waker));
    assert!(matches!(got, Poll::Ready(Ok(Some(message))) if message == Message::from("news")));
}

#[test]
fn an_idle_connection_is_small() {
    // The driver's own heap while idle is this struct (boxed while the connection is whole,
    // inside the halves' shared allocation after a split): no read buffer, and the core's
    // buffers are empty until traffic comes.
    let size = size_of::<crate::shared::Shared<Script, NoTimers>>();
    eprintln!("connection state: {size} bytes");
    assert!(size <= 2 << 10, "{size} bytes");
}

#[test]
fn reunite_keeps_the_users_choice_of_no_coalescing() {
    let burst: Vec<Message> = (0..4u8).map(|i| Message::from(vec![i; 16])).collect();
    let script = Script::with_input(client_frames(&burst));
    let conn = Connection::new(Role::Server, Config::default(), Instant::now());
    let mut ws = crate::WebSocket::<Script, NoTimers>::from_connection(script, conn);
    ws.set_write_coalescing(false);
    let (send, mut recv) = ws.split();
    let mut cx = Context::from_waker(Waker::noop());
    let Poll::Ready(Ok(Some(_))) = recv.poll_recv(&mut cx) else {
        panic!("the first message")
    };
    let whole = send.reunite(recv).expect("same connection");
    whole.handle.with(|driver| {
        assert!(driver.conn.has_pending_events(), "three more wait");
        assert!(!driver.defers_writes(), "still off, as the user set it");
    });
}
