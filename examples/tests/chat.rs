//! The chat server on 127.0.0.1 with two clients, on each runtime: each client sees the
//! other's messages, never its own, and both leave with a clean close.

use std::net::TcpListener;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use wsflow_examples::chat::{self, Room};
use wsflow_examples::cli::RuntimeChoice;

/// How long any step may take before the test fails instead of hanging.
const PATIENCE: Duration = Duration::from_secs(5);

/// A chat client on its own thread: lines go in through `say`, what it shows comes out of
/// `heard`; joining the thread gives its result.
struct Client {
    say: smol::channel::Sender<String>,
    heard: mpsc::Receiver<String>,
    thread: thread::JoinHandle<std::io::Result<()>>,
}

impl Client {
    fn start(runtime: RuntimeChoice, url: String) -> Client {
        let (say, lines) = smol::channel::bounded(4);
        let (shown, heard) = mpsc::channel();
        let thread = thread::spawn(move || {
            chat::client(runtime, &url, lines, |text| {
                let _ = shown.send(text.to_owned());
            })
        });
        Client { say, heard, thread }
    }

    fn say(&self, line: &str) {
        self.say
            .send_blocking(line.to_owned())
            .expect("client gone");
    }

    fn hears(&self) -> String {
        self.heard.recv_timeout(PATIENCE).expect("nothing heard")
    }

    /// Ends stdin, as it were: the client closes and its thread returns.
    fn quit(self) -> std::io::Result<()> {
        drop(self.say);
        self.thread.join().expect("client thread")
    }
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        thread::sleep(Duration::from_millis(5));
    }
}

/// Starts a chat server on a loopback port; returns its URL and its room. The server runs
/// until the test process ends: it has no shutdown (like the binary).
fn start_room(runtime: RuntimeChoice) -> (String, Room) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("ws://{}/", listener.local_addr().expect("addr"));
    let room = Room::new();
    let server_room = room.clone();
    thread::spawn(move || chat::serve_room(runtime, listener, server_room));
    (url, room)
}

fn two_clients_chat(runtime: RuntimeChoice) {
    let (url, room) = start_room(runtime);

    let alice = Client::start(runtime, url.clone());
    let bob = Client::start(runtime, url);
    // A message reaches those in the room when it is sent: wait until both are in.
    wait_for("both clients to join", || room.len() == 2);

    alice.say("hello from alice");
    assert_eq!(bob.hears(), "hello from alice");
    bob.say("hi alice");
    assert_eq!(alice.hears(), "hi alice");
    alice.say("bye");
    assert_eq!(bob.hears(), "bye");
    // Nobody hears their own messages.
    assert!(alice.heard.try_recv().is_err());

    alice.quit().expect("alice closes cleanly");
    bob.quit().expect("bob closes cleanly");
    wait_for("the room to empty", || room.is_empty());
}

#[test]
fn two_clients_chat_on_tokio() {
    two_clients_chat(RuntimeChoice::Tokio);
}

#[test]
fn two_clients_chat_on_smol() {
    two_clients_chat(RuntimeChoice::Smol);
}

#[test]
fn two_clients_chat_on_async_std() {
    two_clients_chat(RuntimeChoice::AsyncStd);
}

/// A member that stops reading is dropped from the room once its queue is full, while the
/// others keep getting every message: one slow reader neither blocks the room nor makes
/// the server buffer without bound.
#[test]
fn a_slow_member_is_dropped_and_does_not_block_the_others() {
    let runtime = RuntimeChoice::Tokio;
    let (url, room) = start_room(runtime);

    let alice = Client::start(runtime, url.clone());
    let carol = Client::start(runtime, url.clone());
    // Connected, then never polled again: it reads nothing, so its socket fills up.
    let sleeper = smol::block_on(wsflow::smol::connect(&url)).expect("connect");
    wait_for("three members", || room.len() == 3);

    // Far more than the socket buffers and the member's queue hold together.
    let line = "x".repeat(60 << 10);
    let count = 400;
    // In lockstep with carol, so only the sleeper falls behind: if the server waited for
    // the sleeper, carol would stop hearing.
    for i in 0..count {
        alice.say(&line);
        assert_eq!(carol.hears().len(), line.len(), "message {i}");
    }
    wait_for("the sleeper to be dropped", || room.len() == 2);
    drop(sleeper);
    alice.quit().expect("alice");
    carol.quit().expect("carol");
}
