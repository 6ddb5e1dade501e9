//! The poll loop, written once for every runtime: it moves bytes between the transport and
//! the core, arms the core's timer, and hands events to whichever method is waiting.
//!
//! Every method here is synchronous and keeps all its state in [`Driver`], never in a
//! future; that is what makes the async methods cancel safe.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Instant;

use wsflow_core::{CloseCode, CloseReport, Connection, Event, Message, SendError, State};

use crate::error::Error;
use crate::runtime::Runtime;
use crate::transport::Transport;

/// Bytes asked for per read: large enough that a 64 KiB message arrives in a few calls.
const READ_SIZE: usize = 64 << 10;
/// Used for a read only when the thread's scratch buffer is unavailable (see [`with_scratch`]).
const FALLBACK_READ_SIZE: usize = 4 << 10;

thread_local! {
    /// Where every connection on a thread reads into. The core copies what it keeps, so a
    /// read buffer only lives for the length of one `poll_read`: one per thread serves every
    /// connection, and an idle connection holds none (tungstenite keeps 128 KiB each, the
    /// other peers 4-8 KiB).
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Runs `read` over the thread's scratch buffer. A transport that polls another connection
/// from inside its own `poll_read` (or a read during thread teardown) finds the scratch
/// taken, and gets a small buffer of its own instead.
fn with_scratch<O>(mut read: impl FnMut(&mut [u8]) -> O) -> O {
    let shared = SCRATCH.try_with(|cell| {
        let mut buf = cell.try_borrow_mut().ok()?;
        if buf.len() < READ_SIZE {
            buf.resize(READ_SIZE, 0);
        }
        Some(read(&mut buf))
    });
    match shared {
        Ok(Some(out)) => out,
        _ => read(&mut vec![0; FALLBACK_READ_SIZE]),
    }
}
/// Output pieces handed to one vectored write.
const MAX_SLICES: usize = 32;
/// Passes over the transport one poll may make before it yields, so that a peer streaming
/// a huge message (or flooding a close) cannot hold an executor thread: tokio's sockets
/// have a budget of their own, async-io's do not.
const PASSES_PER_POLL: u32 = 64;

/// One connection: the core, the transport, and the little the adapter adds.
pub(crate) struct Driver<T, R: Runtime> {
    pub(crate) conn: Connection,
    transport: T,
    /// The armed timer and its deadline; dropped when the core has no deadline.
    timer: Option<(Instant, Pin<Box<R::Timer>>)>,
    /// Bytes were written since the transport was last flushed.
    need_flush: bool,
    /// The write side was shut down, as the core asked (done once).
    shutdown_done: bool,
    /// Events taken out of the core by `poll_close` (to keep the close handshake going, or
    /// once the core had closed), still to be delivered: they come before the core's.
    stash: VecDeque<Event>,
    /// The final report, once [`Event::Closed`] has been taken out of the core.
    closed: Option<CloseReport>,
    /// The subprotocol the opening handshake settled on.
    pub(crate) subprotocol: Option<String>,
    /// Writes of commands are held back while received events wait to be taken (see
    /// [`Self::defers_writes`]); off for split halves, whose sender must not wait on a
    /// receiver in another task.
    pub(crate) coalesce_writes: bool,
    /// Counts passes that changed something (bytes moved, a timer fired); split halves use
    /// it to wake each other after a change the other may be waiting for.
    pub(crate) epoch: u64,
}

impl<T: Transport, R: Runtime> Driver<T, R> {
    pub(crate) fn new(transport: T, conn: Connection, subprotocol: Option<String>) -> Self {
        Driver {
            conn,
            transport,
            timer: None,
            need_flush: false,
            shutdown_done: false,
            stash: VecDeque::new(),
            closed: None,
            subprotocol,
            coalesce_writes: true,
            epoch: 0,
        }
    }

    pub(crate) fn close_report(&self) -> Option<&CloseReport> {
        self.closed.as_ref()
    }

    // ----- the loop -----

    /// One pass over everything that can move without blocking: write queued output, fire a
    /// due timer, read once if asked to (and if the core wants input), and write what that
    /// produced (pongs, a close reply). Returns whether anything changed; when it returns
    /// `Ok(false)`, every source registered `cx` and the caller may return `Pending`.
    fn drive(&mut self, cx: &mut Context<'_>, read: bool) -> Result<bool, Error> {
        let mut progress = self.write_out(cx)?;
        let mut fresh = self.poll_timer(cx);
        if read {
            fresh |= self.read_in(cx)?;
        }
        if fresh {
            self.write_out(cx)?;
        }
        progress |= fresh;
        if progress {
            self.epoch = self.epoch.wrapping_add(1);
        }
        Ok(progress)
    }

    /// [`Self::drive`] for the loops below: `Ready(Ok(()))` to look again, `Pending` when
    /// nothing moved (every source registered `cx`) or the pass budget is spent (then `cx`
    /// is woken at once, so the caller is polled again after other tasks had their turn).
    fn step(&mut self, cx: &mut Context<'_>, passes: &mut u32) -> Poll<Result<(), Error>> {
        match self.drive(cx, true) {
            Err(error) => Poll::Ready(Err(error)),
            Ok(false) => Poll::Pending,
            Ok(true) => {
                *passes += 1;
                if *passes >= PASSES_PER_POLL {
                    cx.waker().wake_by_ref();
                    return Poll::Pending;
                }
                Poll::Ready(Ok(()))
            }
        }
    }

    /// Writes the core's output, all queued frames per vectored call, flushes once it is all
    /// out, and shuts the write side down when the core asks.
    fn write_out(&mut self, cx: &mut Context<'_>) -> Result<bool, Error> {
        let mut progress = false;
        while self.conn.buffered_amount() > 0 {
            let mut slices = [IoSlice::new(&[]); MAX_SLICES];
            let filled = self.conn.output_vectored(&mut slices);
            let slices = slices.get(..filled).unwrap_or_default();
            match self.transport.poll_write_vectored(cx, slices) {
                Poll::Ready(Ok(0)) => return Err(self.fail(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => {
                    self.conn.consume_output(n);
                    self.need_flush = true;
                    progress = true;
                }
                Poll::Ready(Err(error)) if error.kind() == io::ErrorKind::Interrupted => {}
                Poll::Ready(Err(error)) => return Err(self.fail(error)),
                Poll::Pending => return Ok(progress),
            }
        }
        if self.need_flush {
            match self.transport.poll_flush(cx) {
                Poll::Ready(Ok(())) => self.need_flush = false,
                Poll::Ready(Err(error)) => return Err(self.fail(error)),
                Poll::Pending => return Ok(progress),
            }
        }
        if self.conn.wants_shutdown() && !self.shutdown_done {
            match self.transport.poll_shutdown(cx) {
                Poll::Ready(Ok(())) => {
                    self.shutdown_done = true;
                    progress = true;
                }
                // The peer is already gone: the FIN has nobody to reach.
                Poll::Ready(Err(error)) if error.kind() == io::ErrorKind::NotConnected => {
                    self.shutdown_done = true;
                    progress = true;
                }
                Poll::Ready(Err(error)) => return Err(self.fail(error)),
                Poll::Pending => {}
            }
        }
        Ok(progress)
    }

    /// Arms the timer at the core's next deadline and calls `handle_timeout` when it fires.
    /// A timer armed earlier than the deadline is kept (firing early costs one no-op call),
    /// so a keepalive deadline pushed back by every message does not re-arm per message.
    fn poll_timer(&mut self, cx: &mut Context<'_>) -> bool {
        let Some(deadline) = self.conn.poll_timeout() else {
            self.timer = None;
            return false;
        };
        let timer = match &mut self.timer {
            Some((armed, timer)) => {
                if *armed > deadline {
                    R::reset(timer.as_mut(), deadline);
                    *armed = deadline;
                }
                timer
            }
            slot @ None => {
                let timer = Box::pin(R::sleep_until(deadline));
                &mut slot.insert((deadline, timer)).1
            }
        };
        if timer.as_mut().poll(cx).is_pending() {
            return false;
        }
        self.timer = None;
        self.conn.handle_timeout(R::now());
        true
    }

    /// Reads once, if the core wants input, and feeds what came (or the EOF) to the core.
    fn read_in(&mut self, cx: &mut Context<'_>) -> Result<bool, Error> {
        if !self.conn.wants_read() {
            return Ok(false);
        }
        let (transport, conn) = (&mut self.transport, &mut self.conn);
        let read = with_scratch(|buf| {
            let read = transport.poll_read(cx, buf);
            if let Poll::Ready(Ok(n)) = read {
                if n > 0 {
                    conn.receive(R::now(), buf.get(..n).unwrap_or_default());
                }
            }
            read
        });
        match read {
            Poll::Ready(Ok(0)) => self.conn.receive_eof(R::now()),
            Poll::Ready(Ok(_)) => {}
            Poll::Ready(Err(error)) if error.kind() == io::ErrorKind::Interrupted => {}
            Poll::Ready(Err(error)) => return Err(self.fail(error)),
            Poll::Pending => return Ok(false),
        }
        Ok(true)
    }

    /// The transport failed: abort the connection (the core reports `Closed` with cause
    /// `Aborted` after any event already queued) and hand the error to the caller.
    fn fail(&mut self, error: io::Error) -> Error {
        self.conn.abort();
        self.timer = None;
        Error::Io(error)
    }

    /// Once the connection is over, shuts our write side down as the core asks (it does so
    /// for either role once closed, so a peer waiting for our EOF is not kept waiting until
    /// the application drops the socket). Best effort, attempted until it is done.
    fn finish(&mut self, cx: &mut Context<'_>) {
        if self.shutdown_done || !self.conn.wants_shutdown() {
            return;
        }
        if self.transport.poll_shutdown(cx).is_ready() {
            self.shutdown_done = true;
        }
    }

    /// How many events `poll_close` may move out of the core: twice what the core itself
    /// queues, so that a full queue plus the events parsed after it (up to the peer's close
    /// frame) fit, while memory stays within a constant factor of the configured bound.
    fn stash_limit(&self) -> usize {
        self.conn.config().max_pending_events.saturating_mul(2)
    }

    fn next_event(&mut self) -> Option<Event> {
        let event = self.stash.pop_front().or_else(|| self.conn.poll_event())?;
        if let Event::Closed(closed) = &event {
            self.closed = Some(closed.clone());
        }
        Some(event)
    }

    // ----- what the API waits for -----

    /// The next event, `Ok(None)` once the connection is over and every event was taken.
    pub(crate) fn poll_event(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Option<Event>, Error>> {
        let mut passes = 0;
        loop {
            if let Some(event) = self.next_event() {
                if matches!(event, Event::Closed(_)) {
                    self.finish(cx);
                }
                return Poll::Ready(Ok(Some(event)));
            }
            if self.conn.state() == State::Closed {
                self.finish(cx);
                return Poll::Ready(Ok(None));
            }
            ready!(self.step(cx, &mut passes))?;
        }
    }

    /// The next data message (or streamed chunk); control events are consumed here. The end
    /// of the connection is reported once: `Ok(None)` if clean, an error otherwise; after
    /// that, `Ok(None)`.
    pub(crate) fn poll_recv(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Option<Message>, Error>> {
        // Control events are skipped; a peer flooding pings still gets us to yield.
        for _ in 0..PASSES_PER_POLL {
            match ready!(self.poll_event(cx))? {
                Some(Event::Message(message) | Event::MessageChunk { chunk: message, .. }) => {
                    return Poll::Ready(Ok(Some(message)));
                }
                Some(Event::Closed(closed)) => {
                    return Poll::Ready(Error::from_close(&closed).map_or(Ok(None), Err));
                }
                Some(Event::Ping(_) | Event::Pong(_) | Event::CloseReceived(_)) => {}
                None => return Poll::Ready(Ok(None)),
            }
        }
        cx.waker().wake_by_ref();
        Poll::Pending
    }

    /// Ready when a data message may be handed to the core: the output is below its
    /// high-water mark (or the connection is no longer open, and the command will say so).
    /// While waiting it keeps reading, so pings are answered and a close is noticed.
    pub(crate) fn poll_send_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        let mut passes = 0;
        loop {
            if !self.conn.is_above_high_water() || self.conn.state() != State::Open {
                return Poll::Ready(Ok(()));
            }
            ready!(self.step(cx, &mut passes))?;
        }
    }

    /// Runs a command once the output has room (if `wait` is set), then writes what the
    /// transport takes right now without waiting for the rest. The command runs in the same
    /// synchronous step that finds room, so a cancelled caller has queued nothing.
    pub(crate) fn poll_command<F>(
        &mut self,
        cx: &mut Context<'_>,
        wait: bool,
        command: &mut Option<F>,
    ) -> Poll<Result<(), Error>>
    where
        F: FnOnce(&mut Connection) -> Result<(), SendError>,
    {
        if wait {
            ready!(self.poll_send_ready(cx))?;
        }
        let Some(command) = command.take() else {
            return Poll::Ready(Ok(()));
        };
        command(&mut self.conn)?;
        if !self.defers_writes() {
            self.write_out(cx)?;
        }
        Poll::Ready(Ok(()))
    }

    /// Whether a command's frame may wait in the output instead of being written now: while
    /// messages that arrived together are still being taken one by one, the replies to them
    /// are written together, in one call, when the last is taken (or sooner, when the output
    /// reaches its high-water mark). The wait is bounded by the application's own next call:
    /// `recv` writes everything queued before it waits for the network, as do `flush` and
    /// `close`. Every peer we measured writes once per message, which costs them 96 % of the
    /// wire's speed on pipelined small messages.
    fn defers_writes(&self) -> bool {
        self.coalesce_writes
            && (self.conn.has_pending_events() || !self.stash.is_empty())
            && !self.conn.is_above_high_water()
    }

    /// Ready once every queued byte is written and flushed (or the connection is over).
    pub(crate) fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        let mut passes = 0;
        loop {
            let done = self.conn.buffered_amount() == 0 && !self.need_flush;
            if done || self.conn.state() == State::Closed {
                return Poll::Ready(Ok(()));
            }
            ready!(self.step(cx, &mut passes))?;
        }
    }

    /// Starts the close handshake (unless a close frame is already out) and drives the
    /// connection until it is over; returns the final report.
    ///
    /// Nothing the core accepted is dropped: undelivered events, which would stop the core
    /// from reading, move into `stash` (where `next_event` finds them first, in order), so
    /// the core parses on towards the peer's close frame (which it handles only once every
    /// event before it was taken). The stash holds at most [`Self::stash_limit`] events; a peer that sends more
    /// than that after our close frame, while nobody receives, is not read any further, and
    /// the close timer ends the handshake instead of memory growing.
    pub(crate) fn poll_close(
        &mut self,
        cx: &mut Context<'_>,
        code: CloseCode,
        reason: &str,
    ) -> Poll<Result<CloseReport, Error>> {
        if self.conn.state() != State::Closed {
            match self.conn.close(R::now(), code, reason) {
                // `Closed`: our close frame is already out (an earlier call, or the reply
                // to the peer's); keep waiting for the end.
                Ok(()) | Err(SendError::Closed) => {}
                Err(error) => return Poll::Ready(Err(error.into())),
            }
        }
        let mut passes = 0;
        loop {
            if self.conn.state() == State::Closed {
                // Nothing follows `Closed`: take the rest of the queue so its report is known.
                while let Some(event) = self.conn.poll_event() {
                    if let Event::Closed(closed) = &event {
                        self.closed = Some(closed.clone());
                    }
                    self.stash.push_back(event);
                }
                self.finish(cx);
                return Poll::Ready(self.closed.clone().ok_or(Error::Closed));
            }
            if self.stash.len() < self.stash_limit() {
                // Moving events out lets the core parse on: it reads only below
                // `max_pending_events`, and handles a close frame only once every event
                // before it was taken; with its queue empty, `poll_event` resumes parsing.
                if let Some(event) = self.conn.poll_event() {
                    self.stash.push_back(event);
                    passes += 1;
                    continue;
                }
            }
            ready!(self.step(cx, &mut passes))?;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::future::Pending;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};
    use std::task::Waker;

    use wsflow_core::{Config, Role};

    use super::*;

    /// A transport that hands out scripted input as fast as asked and then blocks. It never
    /// wakes anyone: input pushed later is only seen by whoever polls next.
    #[derive(Default)]
    struct Script {
        input: Arc<Mutex<VecDeque<u8>>>,
        written: Vec<u8>,
        writes: usize,
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
            let n = buf.len().min(input.len());
            for (slot, byte) in buf.iter_mut().zip(input.drain(..n)) {
                *slot = byte;
            }
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
        let mut driver = Driver::<Script, NoTimers>::new(script, conn, None);
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
        let mut driver = Driver::<Script, NoTimers>::new(Script::default(), conn, None);
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
        let mut driver = Driver::<Script, NoTimers>::new(script, conn, None);
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
            Driver::<Script, NoTimers>::new(Script::with_input(client_frames(&burst)), conn, None);
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
        send.0.shared.with(|driver| {
            assert!(driver.conn.has_pending_events(), "three more wait");
            assert!(
                !driver.defers_writes(),
                "the send half must not wait on the receiver"
            );
        });
        let whole = send.reunite(recv).expect("same connection");
        whole
            .shared
            .with(|driver| assert!(driver.defers_writes(), "reunited: coalescing again"));
    }

    #[test]
    fn a_huge_message_yields_to_other_tasks_on_the_way() {
        let huge = Message::from(vec![1u8; 8 << 20]);
        let script = Script::with_input(client_frames(std::slice::from_ref(&huge)));
        let conn = Connection::new(Role::Server, Config::default(), Instant::now());
        let mut driver = Driver::<Script, NoTimers>::new(script, conn, None);
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
        // The driver's own heap while idle is this struct (inside the shared allocation):
        // no read buffer, and the core's buffers are empty until traffic comes.
        let size = size_of::<crate::shared::Shared<Script, NoTimers>>();
        eprintln!("shared connection state: {size} bytes");
        assert!(size <= 2 << 10, "{size} bytes");
    }
}
