//! The `tracing` feature: a span per connection, lifecycle events at `debug`, messages at
//! `trace`, nothing at `info` or above for a normal exchange.
#![cfg(all(feature = "tracing", feature = "tokio"))]

use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};
use wsflow::tokio::{TokioIo, TokioRuntime};
use wsflow::{AcceptOptions, ClientRequest, CloseCode, Config, Message, WebSocket, accept_any};

/// What the subscriber saw: (level, span or event name, message and fields as text).
type Seen = Arc<Mutex<Vec<(Level, String)>>>;

struct Recorder(Seen);

struct Text(String);

impl Visit for Text {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        use std::fmt::Write;
        let _ = write!(self.0, " {}={value:?}", field.name());
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut text = Text(format!("span {}", span.metadata().name()));
        span.record(&mut text);
        self.0
            .lock()
            .unwrap()
            .push((*span.metadata().level(), text.0));
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut text = Text(String::new());
        event.record(&mut text);
        self.0
            .lock()
            .unwrap()
            .push((*event.metadata().level(), text.0));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[test]
fn a_connection_logs_its_lifecycle_at_debug_and_messages_at_trace() {
    let seen: Seen = Arc::default();
    let subscriber = Recorder(Arc::clone(&seen));
    tracing::subscriber::with_default(subscriber, || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let (a, b) = tokio::io::duplex(1 << 16);
            let options = AcceptOptions::new();
            let request = ClientRequest::new("ws://example.test/chat").expect("url");
            let client =
                WebSocket::<_, TokioRuntime>::client(TokioIo(a), request, Config::default());
            let server = WebSocket::<_, TokioRuntime>::server(TokioIo(b), &options, accept_any);
            let (client, server) = tokio::join!(client, server);
            let (mut client, mut server) = (client.expect("client"), server.expect("server"));
            client.send("hello").await.expect("send");
            let echo = async {
                while let Some(message) = server.recv().await.expect("recv") {
                    server.send(message).await.expect("echo");
                }
            };
            let talk = async {
                assert_eq!(
                    client.recv().await.expect("reply"),
                    Some(Message::from("hello"))
                );
                client.close(CloseCode::NORMAL, "bye").await.expect("close")
            };
            let ((), report) = tokio::join!(echo, talk);
            assert!(report.was_clean());
        });
    });
    let seen = seen.lock().unwrap();
    let has = |level: Level, text: &str| seen.iter().any(|(l, t)| *l == level && t.contains(text));
    assert!(has(Level::DEBUG, "span websocket role=Client"), "{seen:?}");
    assert!(has(Level::DEBUG, "span websocket role=Server"), "{seen:?}");
    assert!(has(Level::DEBUG, "upgrade request"), "{seen:?}");
    assert!(has(Level::DEBUG, "message=opened"), "{seen:?}");
    assert!(has(Level::TRACE, "message=message"), "{seen:?}");
    assert!(
        has(Level::DEBUG, "message=closed cleanly code=1000"),
        "{seen:?}"
    );
    assert!(
        seen.iter()
            .all(|(level, _)| *level == Level::DEBUG || *level == Level::TRACE),
        "nothing at info or above: {seen:?}"
    );
}
