//! A side on the bare core: `wsflow_core::Connection` with a small driver written here, as
//! an application of the sans-I/O core writes one (output to the socket, socket to the
//! core, timers from `poll_timeout`), polled by the scheduler as a task.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use bytes::BytesMut;
use wsflow::Runtime;
use wsflow_core::{CloseCause, CloseCode, Connection, Event, MessageKind};

use super::app::{Outcome, Report, SideScript};
use super::network::SimSocket;
use super::{Rng, VirtualTime};

pub(super) struct CoreSide {
    conn: Connection,
    socket: SimSocket,
    script: SideScript,
    /// How many messages the peer's script sends (a closer may wait for them).
    peer_messages: usize,
    out: Rc<RefCell<Outcome>>,
    rng: Rng,
    /// The next message and fragment to send.
    next: (usize, usize),
    sending: bool,
    close_sent: bool,
    /// `Event::Closed` was taken: only the last output and the FIN remain.
    ended: bool,
    shut: bool,
    /// A streamed message being reassembled.
    partial: Option<(MessageKind, BytesMut)>,
    timer: Option<Pin<Box<<VirtualTime as Runtime>::Timer>>>,
    buf: Vec<u8>,
}

impl CoreSide {
    pub(super) fn new(
        conn: Connection,
        socket: SimSocket,
        script: SideScript,
        peer_messages: usize,
        out: Rc<RefCell<Outcome>>,
    ) -> Self {
        let rng = Rng::new(script.seed);
        CoreSide {
            conn,
            socket,
            script,
            peer_messages,
            out,
            rng,
            next: (0, 0),
            sending: true,
            close_sent: false,
            ended: false,
            shut: false,
            partial: None,
            timer: None,
            buf: vec![0; 4096],
        }
    }

    /// Queues what the script says, while the buffer is under its high-water mark.
    fn app(&mut self) -> bool {
        let mut progress = false;
        while self.sending && !self.conn.is_above_high_water() {
            let Some(msg) = self.script.messages.get(self.next.0) else {
                self.sending = false;
                break;
            };
            let pieces = msg.pieces();
            let (kind, whole) = (msg.kind, msg.payload.clone());
            let result = if msg.cuts.is_empty() {
                self.conn.send(match kind {
                    MessageKind::Text => wsflow_core::Message::text(
                        wsflow_core::Utf8Bytes::try_from(whole.clone())
                            .expect("the script's text is UTF-8"),
                    ),
                    MessageKind::Binary => wsflow_core::Message::binary(whole.clone()),
                })
            } else {
                let fin = self.next.1 + 1 == pieces.len();
                self.conn
                    .send_fragment(kind, pieces[self.next.1].clone(), fin)
            };
            progress = true;
            match result {
                Ok(()) => {
                    let mut out = self.out.borrow_mut();
                    out.largest_message = out.largest_message.max(whole.len());
                    if msg.cuts.is_empty() || self.next.1 + 1 == pieces.len() {
                        out.sent.push((kind, whole));
                        self.next = (self.next.0 + 1, 0);
                    } else {
                        self.next.1 += 1;
                    }
                }
                // The peer closed first: the rest of the script is not sent.
                Err(_) => self.sending = false,
            }
        }
        let received = self.out.borrow().received.len();
        if !self.sending
            && self.script.closer
            && !self.close_sent
            && (!self.script.wait_for_peer || received >= self.peer_messages)
        {
            self.close_sent = true;
            progress = true;
            // Refused once a close is already out (the peer's came first): nothing to do.
            let _ = self
                .conn
                .close(VirtualTime::now(), CloseCode::NORMAL, "bye");
        }
        progress
    }

    fn events(&mut self) -> (bool, bool) {
        let mut progress = false;
        while let Some(event) = self.conn.poll_event() {
            progress = true;
            let mut out = self.out.borrow_mut();
            match event {
                Event::Message(message) => {
                    out.received.push((message.kind(), message.into_bytes()));
                }
                Event::MessageChunk { chunk, fin } => {
                    let (_, bytes) = self
                        .partial
                        .get_or_insert_with(|| (chunk.kind(), BytesMut::new()));
                    bytes.extend_from_slice(chunk.as_bytes());
                    if fin {
                        let (kind, bytes) = self
                            .partial
                            .take()
                            .unwrap_or((chunk.kind(), BytesMut::new()));
                        out.received.push((kind, bytes.freeze()));
                    }
                }
                Event::CloseReceived(_) => self.sending = false,
                Event::Closed(report) => {
                    out.reports.push(match report.cause {
                        CloseCause::Clean { .. } => Report::Clean,
                        cause => Report::Unclean(cause),
                    });
                    out.ended = true;
                    return (true, true);
                }
                _ => {}
            }
        }
        (progress, false)
    }

    fn io(&mut self, cx: &mut Context<'_>) -> bool {
        let mut progress = false;
        while self.conn.buffered_amount() > 0 {
            match self.socket.write(cx, self.conn.pending_output()) {
                Poll::Ready(Ok(n)) => {
                    self.conn.consume_output(n);
                    progress = true;
                }
                Poll::Ready(Err(error)) => return self.fail(error.kind()),
                Poll::Pending => break,
            }
        }
        if self.conn.buffered_amount() == 0 && self.conn.wants_shutdown() && !self.shut {
            self.shut = true;
            progress = true;
            if let Err(error) = self.socket.shutdown() {
                return self.fail(error.kind());
            }
        }
        if self.conn.wants_read() {
            let len = 1 + self.rng.below(self.buf.len() as u64) as usize;
            // A large payload goes straight into the core's buffer, as in the adapters.
            if let Some(lent) = self.conn.lend_receive_buffer() {
                let len = len.min(lent.len());
                match self.socket.read(cx, &mut lent[..len]) {
                    Poll::Ready(Ok(0)) => self.conn.receive_eof(VirtualTime::now()),
                    Poll::Ready(Ok(n)) => self.conn.receive_lent(VirtualTime::now(), n),
                    Poll::Ready(Err(error)) => return self.fail(error.kind()),
                    Poll::Pending => return progress,
                }
                return true;
            }
            match self.socket.read(cx, &mut self.buf[..len]) {
                Poll::Ready(Ok(0)) => {
                    self.conn.receive_eof(VirtualTime::now());
                    progress = true;
                }
                Poll::Ready(Ok(n)) => {
                    self.conn.receive(VirtualTime::now(), &self.buf[..n]);
                    progress = true;
                }
                Poll::Ready(Err(error)) => return self.fail(error.kind()),
                Poll::Pending => {}
            }
        }
        progress
    }

    fn fail(&mut self, kind: std::io::ErrorKind) -> bool {
        if self.ended {
            // After the end the last bytes and the FIN are best effort, as in the driver.
            self.shut = true;
            return false;
        }
        self.out.borrow_mut().reports.push(Report::Io(kind));
        self.conn.abort();
        true
    }

    /// Fires the core's timer when due; otherwise arms a virtual sleep for it.
    fn timer(&mut self, cx: &mut Context<'_>) -> bool {
        let Some(deadline) = self.conn.poll_timeout() else {
            self.timer = None;
            return false;
        };
        if deadline <= VirtualTime::now() {
            self.timer = None;
            self.conn.handle_timeout(VirtualTime::now());
            return true;
        }
        let timer = self
            .timer
            .insert(Box::pin(VirtualTime::sleep_until(deadline)));
        if timer.as_mut().poll(cx).is_ready() {
            self.conn.handle_timeout(VirtualTime::now());
            return true;
        }
        false
    }
}

impl Future for CoreSide {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        loop {
            if this.ended {
                let progress = this.io(cx);
                if this.shut || (this.conn.buffered_amount() == 0 && !this.conn.wants_shutdown()) {
                    return Poll::Ready(());
                }
                if !progress {
                    return Poll::Pending;
                }
                continue;
            }
            let mut progress = this.app();
            let (moved, ended) = this.events();
            if ended {
                this.ended = true;
                continue;
            }
            progress |= moved;
            progress |= this.io(cx);
            {
                let mut out = this.out.borrow_mut();
                out.max_buffered = out.max_buffered.max(this.conn.buffered_amount());
            }
            if !progress && !this.timer(cx) {
                return Poll::Pending;
            }
        }
    }
}
