//! A chat room: the server relays every text message from one client to all the others;
//! the client sends lines and prints what the others say.
//!
//! One task per connection, written once over any runtime's `WebSocket<T, R>`: it waits on
//! its socket and on its own outgoing queue at once (both waits are cancel safe, so the one
//! that loses the race loses nothing). A broadcast clones one [`Utf8Bytes`] (a reference
//! count, not the text) into each member's queue with `try_send`, so a sender never waits
//! for a receiver.
//!
//! **Slow clients**: each member's queue holds at most [`QUEUE_LIMIT`] messages. A member
//! whose queue is full when a message arrives for it is dropped from the room: it gets what
//! is already queued, then a close with 1008 (policy violation). So one slow reader cannot
//! block the others, and memory per member stays bounded (`QUEUE_LIMIT` messages of at most
//! [`MAX_MESSAGE`] bytes, plus the connection's write buffer). The price: senders get no
//! backpressure, so a burst of more than `QUEUE_LIMIT` messages, faster than a member's
//! link takes them, drops that member too — the room favours everyone over any one.

use std::collections::HashMap;
use std::io;
use std::net::TcpListener;
use std::pin::pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use futures_util::future::{Either, select};
use smol::channel::{Receiver, Sender, TrySendError};
use wsflow::{AcceptOptions, CloseCode, Config, Error, Message, Runtime, Transport, WebSocket};
use wsflow_core::Utf8Bytes;

use crate::asynchronous::{serve_async_std, serve_smol, serve_tokio, tokio_runtime};
use crate::cli::RuntimeChoice;

/// Messages that may wait for one member before it counts as too slow and is dropped.
pub const QUEUE_LIMIT: usize = 64;

/// The largest message the server accepts (and so relays): chat lines, not files.
pub const MAX_MESSAGE: u64 = 64 << 10;

/// The members of a chat room, each with the sending end of its bounded queue. Cheap to
/// clone: clones share the room.
#[derive(Debug, Clone, Default)]
pub struct Room {
    members: Arc<Mutex<Members>>,
}

#[derive(Debug, Default)]
struct Members {
    next_id: u64,
    queues: HashMap<u64, Sender<Utf8Bytes>>,
}

impl Room {
    /// An empty room.
    pub fn new() -> Self {
        Room::default()
    }

    /// How many members the room has.
    pub fn len(&self) -> usize {
        self.lock().queues.len()
    }

    /// Whether the room is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> MutexGuard<'_, Members> {
        // A panic elsewhere while holding the lock leaves the map consistent (every
        // operation on it is a single insert or remove), so poisoning is ignored.
        self.members.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn join(&self) -> (u64, Receiver<Utf8Bytes>) {
        let (sender, receiver) = smol::channel::bounded(QUEUE_LIMIT);
        let mut members = self.lock();
        let id = members.next_id;
        members.next_id += 1;
        members.queues.insert(id, sender);
        (id, receiver)
    }

    fn leave(&self, id: u64) {
        self.lock().queues.remove(&id);
    }

    /// Queues `text` for every member but `from`; drops the members whose queue is full.
    fn broadcast(&self, from: u64, text: &Utf8Bytes) {
        self.lock().queues.retain(|&id, queue| {
            if id == from {
                return true;
            }
            match queue.try_send(text.clone()) {
                Ok(()) => true,
                Err(TrySendError::Full(_)) => {
                    eprintln!("chat-server: member {id} is too slow, dropping it");
                    false
                }
                // Its connection task has ended and is about to leave.
                Err(TrySendError::Closed(_)) => false,
            }
        });
    }

    /// Runs one member's connection to its end: relays its text messages to the others and
    /// sends it theirs. Binary messages are ignored (this is a text chat).
    pub async fn serve<T: Transport, R: Runtime>(self, mut ws: WebSocket<T, R>) {
        let (id, queue) = self.join();
        let result = self.relay(id, &mut ws, &queue).await;
        self.leave(id);
        if let Err(error) = result {
            eprintln!("chat-server: member {id}: {error}");
        }
    }

    async fn relay<T: Transport, R: Runtime>(
        &self,
        id: u64,
        ws: &mut WebSocket<T, R>,
        queue: &Receiver<Utf8Bytes>,
    ) -> Result<(), Error> {
        loop {
            // Both futures are dropped at the end of this statement, so `ws` is free again.
            let next = match select(pin!(ws.recv()), pin!(queue.recv())).await {
                Either::Left((received, _)) => Either::Left(received?),
                Either::Right((queued, _)) => Either::Right(queued.ok()),
            };
            match next {
                Either::Left(Some(Message::Text(text))) => self.broadcast(id, &text),
                Either::Left(Some(Message::Binary(_))) => {}
                // The client closed (cleanly; an unclean end was the `?` above).
                Either::Left(None) => return Ok(()),
                Either::Right(Some(text)) => ws.send(Message::Text(text)).await?,
                // The room dropped us and our queue is drained: tell the client why.
                Either::Right(None) => {
                    ws.close(CloseCode::POLICY_VIOLATION, "too slow").await?;
                    return Ok(());
                }
            }
        }
    }
}

/// The server's accept options: the default configuration with [`MAX_MESSAGE`].
pub fn server_options() -> AcceptOptions {
    let mut config = Config::default();
    config.max_message_size = MAX_MESSAGE;
    AcceptOptions::new().config(config)
}

/// Serves a chat room on `listener` until accepting fails, one task per member.
pub fn serve(runtime: RuntimeChoice, listener: TcpListener) -> io::Result<()> {
    serve_room(runtime, listener, Room::new())
}

/// [`serve`] with a room the caller keeps a handle on (to watch its members).
pub fn serve_room(runtime: RuntimeChoice, listener: TcpListener, room: Room) -> io::Result<()> {
    let options = server_options();
    // Each accepted connection runs as a member of a clone of the same room.
    match runtime {
        RuntimeChoice::Tokio => {
            serve_tokio(listener, &options, None, move |ws| room.clone().serve(ws))
        }
        RuntimeChoice::Smol => {
            serve_smol(listener, &options, None, move |ws| room.clone().serve(ws))
        }
        RuntimeChoice::AsyncStd => {
            serve_async_std(listener, &options, None, move |ws| room.clone().serve(ws))
        }
        RuntimeChoice::Blocking => Err(io::Error::other("the chat needs an async runtime")),
    }
}

/// The client: sends every line that comes out of `lines` and calls `show` with every
/// message from the others, until `lines` ends (then it closes cleanly) or the server
/// ends the connection.
pub async fn chat_client<T: Transport, R: Runtime>(
    mut ws: WebSocket<T, R>,
    lines: Receiver<String>,
    mut show: impl FnMut(&str),
) -> io::Result<()> {
    loop {
        let next = match select(pin!(ws.recv()), pin!(lines.recv())).await {
            Either::Left((received, _)) => Either::Left(received.map_err(io::Error::other)?),
            Either::Right((line, _)) => Either::Right(line.ok()),
        };
        match next {
            Either::Left(Some(Message::Text(text))) => show(text.as_str()),
            Either::Left(Some(Message::Binary(data))) => {
                show(&format!("({} binary bytes)", data.len()));
            }
            // `recv` has answered the server's close and seen the handshake through.
            Either::Left(None) => {
                let reason = ws.close_report().map(|report| report.reason);
                show(&format!("(the server closed the chat: {reason:?})"));
                return Ok(());
            }
            Either::Right(Some(line)) => ws.send(line).await.map_err(io::Error::other)?,
            Either::Right(None) => {
                ws.close(CloseCode::NORMAL, "bye")
                    .await
                    .map_err(io::Error::other)?;
                return Ok(());
            }
        }
    }
}

/// Connects to `url` on an async runtime and runs [`chat_client`].
pub fn client(
    runtime: RuntimeChoice,
    url: &str,
    lines: Receiver<String>,
    show: impl FnMut(&str),
) -> io::Result<()> {
    match runtime {
        RuntimeChoice::Tokio => tokio_runtime()?.block_on(async {
            let ws = wsflow::tokio::connect(url)
                .await
                .map_err(io::Error::other)?;
            chat_client(ws, lines, show).await
        }),
        RuntimeChoice::Smol => smol::block_on(async {
            let ws = wsflow::smol::connect(url).await.map_err(io::Error::other)?;
            chat_client(ws, lines, show).await
        }),
        RuntimeChoice::AsyncStd => async_std::task::block_on(async {
            let ws = wsflow::async_std::connect(url)
                .await
                .map_err(io::Error::other)?;
            chat_client(ws, lines, show).await
        }),
        RuntimeChoice::Blocking => Err(io::Error::other("the chat needs an async runtime")),
    }
}
