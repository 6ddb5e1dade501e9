//! A side on the async driver, `wsflow::WebSocket` on [`VirtualTime`], over a runtime's
//! transport glue: one task for a whole connection (sending and receiving in turns, each
//! call bounded by an application timeout), or two for split halves. Every call may be
//! dropped at an await point — after its first, second or third `Pending` — and retried.

use std::cell::RefCell;
use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::task::Poll;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use wsflow::{Error, Runtime, Transport, WebSocket};
use wsflow_core::{
    CloseCode, CloseReport, Connection, Event, Message, MessageKind, ReceiveMode, Utf8Bytes,
};

use super::app::{Outcome, SideScript, close_report, record_receive, report};
use super::{Rng, VirtualTime};

pub(super) type Task = Pin<Box<dyn Future<Output = ()>>>;
type Ws<T> = WebSocket<T, VirtualTime>;

/// Polls `fut` until it is ready, it has pended `budget` times, or `timeout` passes; then
/// drops it (`None`): an await point where the application gives up on a call.
async fn attempt<F: Future>(fut: F, budget: u32, timeout: Option<Duration>) -> Option<F::Output> {
    let mut fut = pin!(fut);
    let mut sleep = timeout.map(|d| Box::pin(VirtualTime::sleep_until(VirtualTime::now() + d)));
    let mut polls = 0;
    poll_fn(|cx| {
        if let Poll::Ready(value) = fut.as_mut().poll(cx) {
            return Poll::Ready(Some(value));
        }
        polls += 1;
        if polls >= budget {
            return Poll::Ready(None);
        }
        if let Some(sleep) = &mut sleep {
            if sleep.as_mut().poll(cx).is_ready() {
                return Poll::Ready(None);
            }
        }
        Poll::Pending
    })
    .await
}

/// The side's own random decisions.
struct Decide(Rng, u64);

impl Decide {
    /// How many `Pending`s the next call may see before it is dropped.
    fn budget(&mut self) -> u32 {
        if self.0.chance(self.1) {
            1 + self.0.below(3) as u32
        } else {
            u32::MAX
        }
    }

    /// The application's own timeout on a call, when it has something else to do (an
    /// `Option` because `attempt` takes none while waiting is all there is to do).
    #[allow(clippy::unnecessary_wraps)]
    fn timeout(&mut self) -> Option<Duration> {
        Some(Duration::from_millis(1 + self.0.below(20)))
    }
}

pub(super) fn message(kind: MessageKind, payload: Bytes) -> Message {
    match kind {
        MessageKind::Text => {
            Message::text(Utf8Bytes::try_from(payload).expect("the script's text is UTF-8"))
        }
        MessageKind::Binary => Message::binary(payload),
    }
}

/// What both handles (whole or receive half) offer for receiving.
trait Rx {
    fn next(
        &mut self,
        streaming: bool,
    ) -> Pin<Box<dyn Future<Output = Result<Option<Event>, Error>> + '_>>;
    fn report(&self) -> Option<CloseReport>;
}

impl<T: Transport + 'static> Rx for Ws<T> {
    fn next(
        &mut self,
        streaming: bool,
    ) -> Pin<Box<dyn Future<Output = Result<Option<Event>, Error>> + '_>> {
        if streaming {
            Box::pin(self.recv_event())
        } else {
            Box::pin(async { self.recv().await.map(|m| m.map(Event::Message)) })
        }
    }
    fn report(&self) -> Option<CloseReport> {
        self.close_report()
    }
}

impl<T: Transport + 'static> Rx for wsflow::RecvHalf<T, VirtualTime> {
    fn next(
        &mut self,
        streaming: bool,
    ) -> Pin<Box<dyn Future<Output = Result<Option<Event>, Error>> + '_>> {
        if streaming {
            Box::pin(self.recv_event())
        } else {
            Box::pin(async { self.recv().await.map(|m| m.map(Event::Message)) })
        }
    }
    fn report(&self) -> Option<CloseReport> {
        self.close_report()
    }
}

/// The receiving application: reassembles streamed messages and records the end.
struct Receiver {
    out: Rc<RefCell<Outcome>>,
    streaming: bool,
    partial: Option<(MessageKind, BytesMut)>,
}

impl Receiver {
    /// Records one result of a receive call.
    fn handle(&mut self, result: Result<Option<Event>, Error>, rx: &dyn Rx) {
        let result = result.map_err(|error| report(&error));
        record_receive(
            &mut self.out.borrow_mut(),
            &mut self.partial,
            result,
            || rx.report(),
        );
    }
}

async fn recv_some(
    rx: &mut dyn Rx,
    receiver: &mut Receiver,
    budget: u32,
    timeout: Option<Duration>,
) {
    let streaming = receiver.streaming;
    if let Some(result) = attempt(rx.next(streaming), budget, timeout).await {
        receiver.handle(result, rx);
    }
}

/// After the end every call must still say "over" at once.
async fn after_end(rx: &mut dyn Rx, out: &Rc<RefCell<Outcome>>, streaming: bool) {
    match attempt(rx.next(streaming), 1, None).await {
        Some(Ok(None)) => {}
        other => out
            .borrow_mut()
            .after_end
            .push(format!("after the end: {other:?}")),
    }
}

pub(super) fn tasks<T: Transport + 'static>(
    io: T,
    conn: Connection,
    script: SideScript,
    peer_messages: usize,
    out: Rc<RefCell<Outcome>>,
) -> Vec<Task> {
    let ws: Ws<T> = WebSocket::from_connection(io, conn);
    let streaming = script.config.receive_mode == ReceiveMode::Streaming;
    let decide = Decide(Rng::new(script.seed), script.cancel);
    let receiver = Receiver {
        out: Rc::clone(&out),
        streaming,
        partial: None,
    };
    if script.split {
        let (tx, rx) = ws.split();
        let mut rx = rx;
        let mut receiver = receiver;
        let mut decide_rx = Decide(Rng::new(script.seed ^ 1), script.cancel);
        let recv_out = Rc::clone(&out);
        let recv_task: Task = Box::pin(async move {
            while !receiver.out.borrow().ended {
                let budget = decide_rx.budget();
                recv_some(&mut rx, &mut receiver, budget, None).await;
            }
            after_end(&mut rx, &recv_out, streaming).await;
        });
        let send_task: Task = Box::pin(send_half(tx, script, peer_messages, out, decide));
        vec![recv_task, send_task]
    } else {
        vec![Box::pin(whole(
            ws,
            script,
            peer_messages,
            out,
            decide,
            receiver,
        ))]
    }
}

async fn send_half<T: Transport + 'static>(
    mut tx: wsflow::SendHalf<T, VirtualTime>,
    script: SideScript,
    peer_messages: usize,
    out: Rc<RefCell<Outcome>>,
    mut decide: Decide,
) {
    'messages: for msg in &script.messages {
        let pieces = msg.pieces();
        let mut i = 0;
        while i < pieces.len() {
            let budget = decide.budget();
            let result = if msg.cuts.is_empty() {
                attempt(
                    tx.send(message(msg.kind, msg.payload.clone())),
                    budget,
                    None,
                )
                .await
            } else {
                attempt(
                    tx.send_fragment(msg.kind, pieces[i].clone(), i + 1 == pieces.len()),
                    budget,
                    None,
                )
                .await
            };
            let mut o = out.borrow_mut();
            o.max_buffered = o.max_buffered.max(tx.buffered_amount());
            o.largest_message = o.largest_message.max(msg.payload.len());
            match result {
                None => {}
                Some(Ok(())) => {
                    i += 1;
                    if i == pieces.len() {
                        o.sent.push((msg.kind, msg.payload.clone()));
                    }
                }
                Some(Err(Error::Closed)) => break 'messages,
                Some(Err(error)) => {
                    o.reports.push(report(&error));
                    break 'messages;
                }
            }
        }
    }
    if !script.closer {
        return;
    }
    if script.wait_for_peer {
        loop {
            {
                let o = out.borrow();
                if o.ended || o.received.len() >= peer_messages {
                    break;
                }
            }
            VirtualTime::sleep_until(VirtualTime::now() + Duration::from_millis(5)).await;
        }
    }
    loop {
        let budget = decide.budget();
        match attempt(tx.close(CloseCode::NORMAL, "bye"), budget, None).await {
            None => continue,
            Some(Ok(report)) => out.borrow_mut().close_report = Some(close_report(&report)),
            Some(Err(Error::Closed)) => {}
            Some(Err(error)) => out.borrow_mut().reports.push(report(&error)),
        }
        break;
    }
}

async fn whole<T: Transport + 'static>(
    mut ws: Ws<T>,
    script: SideScript,
    peer_messages: usize,
    out: Rc<RefCell<Outcome>>,
    mut decide: Decide,
    mut receiver: Receiver,
) {
    let streaming = receiver.streaming;
    'messages: for msg in &script.messages {
        let pieces = msg.pieces();
        let mut i = 0;
        while i < pieces.len() {
            if receiver.out.borrow().ended {
                break 'messages;
            }
            let (budget, timeout) = (decide.budget(), decide.timeout());
            if decide.0.chance(300) {
                recv_some(&mut ws, &mut receiver, budget, timeout).await;
                continue;
            }
            if decide.0.chance(50) {
                if let Some(Err(error)) = attempt(ws.flush(), budget, timeout).await {
                    out.borrow_mut().reports.push(report(&error));
                    break 'messages;
                }
                continue;
            }
            let result = if msg.cuts.is_empty() {
                attempt(
                    ws.send(message(msg.kind, msg.payload.clone())),
                    budget,
                    timeout,
                )
                .await
            } else {
                attempt(
                    ws.send_fragment(msg.kind, pieces[i].clone(), i + 1 == pieces.len()),
                    budget,
                    timeout,
                )
                .await
            };
            let mut o = out.borrow_mut();
            o.max_buffered = o.max_buffered.max(ws.buffered_amount());
            o.largest_message = o.largest_message.max(msg.payload.len());
            match result {
                None => {}
                Some(Ok(())) => {
                    i += 1;
                    if i == pieces.len() {
                        o.sent.push((msg.kind, msg.payload.clone()));
                    }
                }
                Some(Err(Error::Closed)) => break 'messages,
                Some(Err(error)) => {
                    o.reports.push(report(&error));
                    break 'messages;
                }
            }
        }
    }
    if script.closer {
        if script.wait_for_peer {
            while !receiver.out.borrow().ended
                && receiver.out.borrow().received.len() < peer_messages
            {
                let budget = decide.budget();
                recv_some(&mut ws, &mut receiver, budget, None).await;
            }
        }
        loop {
            let (budget, timeout) = (decide.budget(), decide.timeout());
            match attempt(ws.close(CloseCode::NORMAL, "bye"), budget, timeout).await {
                None => {
                    if !receiver.out.borrow().ended {
                        let (budget, timeout) = (decide.budget(), decide.timeout());
                        recv_some(&mut ws, &mut receiver, budget, timeout).await;
                    }
                    continue;
                }
                Some(Ok(report)) => out.borrow_mut().close_report = Some(close_report(&report)),
                Some(Err(Error::Closed)) => {}
                Some(Err(error)) => out.borrow_mut().reports.push(report(&error)),
            }
            break;
        }
    }
    while !receiver.out.borrow().ended {
        let budget = decide.budget();
        recv_some(&mut ws, &mut receiver, budget, None).await;
    }
    after_end(&mut ws, &out, streaming).await;
    let mut o = out.borrow_mut();
    o.max_buffered = o.max_buffered.max(ws.buffered_amount());
    drop(o);
    drop(ws);
}
