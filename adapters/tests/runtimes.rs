//! Every scenario of `common::scenarios` on every runtime: real 127.0.0.1 sockets for the
//! handshake, exchange and close; Unix socket pairs with a scripted peer for backpressure,
//! cancellation, timers and split halves.

#![cfg(all(feature = "tokio", feature = "smol", feature = "async-std"))]

mod common;

use common::{Harness, Pair};

/// Generates one `#[test]` per scenario for a harness.
macro_rules! runtime_suite {
    ($module:ident, $harness:path) => {
        mod $module {
            use crate::common::scenarios;

            #[test]
            fn loopback_exchange() {
                scenarios::loopback_exchange::<$harness>();
            }
            #[test]
            fn server_close_reaches_client_as_fin() {
                scenarios::server_close_reaches_client_as_fin::<$harness>();
            }
            #[test]
            fn rejected_upgrade() {
                scenarios::rejected_upgrade::<$harness>();
            }
            #[test]
            fn transport_half_closes() {
                scenarios::transport_half_closes::<$harness>();
            }
            #[test]
            fn peer_stops_reading() {
                scenarios::peer_stops_reading::<$harness>();
            }
            #[test]
            fn recv_cancellation() {
                scenarios::recv_cancellation::<$harness>();
            }
            #[test]
            fn close_cancellation() {
                scenarios::close_cancellation::<$harness>();
            }
            #[test]
            fn close_timeout_without_fin() {
                scenarios::close_timeout_without_fin::<$harness>();
            }
            #[test]
            fn stream_and_sink() {
                scenarios::stream_and_sink::<$harness>();
            }
            #[test]
            fn streaming_chunks() {
                scenarios::streaming_chunks::<$harness>();
            }
            #[test]
            fn eof_is_abnormal() {
                scenarios::eof_is_abnormal::<$harness>();
            }
            #[test]
            fn client_handshake_keeps_leftover() {
                scenarios::client_handshake_keeps_leftover::<$harness>();
            }
            #[test]
            fn server_handshake_times_out() {
                scenarios::server_handshake_times_out::<$harness>();
            }
            #[test]
            fn keepalive() {
                scenarios::keepalive::<$harness>();
            }
            #[test]
            fn close_keeps_undelivered_messages() {
                scenarios::close_keeps_undelivered_messages::<$harness>();
            }
            #[test]
            fn split_halves_drive_the_connection() {
                scenarios::split_halves_drive_the_connection::<$harness>();
            }
        }
    };
}

runtime_suite!(on_tokio, crate::TokioHarness);
runtime_suite!(on_smol, crate::SmolHarness);
runtime_suite!(on_async_std, crate::AsyncStdHarness);

use std::future::Future;
use std::os::unix::net::UnixStream;

use futures_util::future::join;
use wsflow::{Accept, AcceptOptions, ConnectOptions, Reject, UpgradeRequest};

type Decide = fn(&UpgradeRequest) -> Result<Accept, Reject>;

/// The two TCP methods of a harness, the same on every runtime but for the module names:
/// `$net` has `TcpListener` and `TcpStream`, `$ws` is the wsflow module, `$wrap` the
/// transport it puts around a `TcpStream`.
macro_rules! tcp_methods {
    ($($net:ident)::+, $ws:ident, $wrap:path) => {
        async fn tcp_pair(
            client: ConnectOptions,
            server: AcceptOptions,
            decide: Decide,
        ) -> Pair<wsflow::$ws::WebSocketStream> {
            let listener = $($net)::+::TcpListener::bind("127.0.0.1:0").await.expect("bind");
            let url = format!("ws://{}/echo", listener.local_addr().expect("addr"));
            let accepting = async {
                let (stream, _) = listener.accept().await?;
                wsflow::$ws::accept_with(stream, &server, decide).await
            };
            join(wsflow::$ws::connect_with(&url, &client), accepting).await
        }

        async fn raw_tcp_pair() -> (Self::Tcp, Self::Tcp) {
            let listener = $($net)::+::TcpListener::bind("127.0.0.1:0").await.expect("bind");
            let addr = listener.local_addr().expect("addr");
            let (a, b) = join($($net)::+::TcpStream::connect(addr), listener.accept()).await;
            let (a, b) = (a.expect("connect"), b.expect("accept").0);
            ($wrap(a.into()), $wrap(b.into()))
        }
    };
}

struct TokioHarness;

impl Harness for TokioHarness {
    type Tcp = wsflow::tokio::TokioIo<wsflow::tokio::MaybeTlsStream>;
    type Unix = wsflow::tokio::TokioIo<tokio::net::UnixStream>;
    type R = wsflow::tokio::TokioRuntime;

    fn block_on<F: Future>(future: F) -> F::Output {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build();
        runtime.expect("runtime").block_on(future)
    }

    tcp_methods!(tokio::net, tokio, wsflow::tokio::TokioIo);

    fn unix(socket: UnixStream) -> Self::Unix {
        wsflow::tokio::TokioIo(tokio::net::UnixStream::from_std(socket).expect("register"))
    }
}

struct SmolHarness;

impl Harness for SmolHarness {
    type Tcp = wsflow::smol::FuturesIo<wsflow::smol::MaybeTlsStream>;
    type Unix = wsflow::smol::FuturesIo<smol::net::unix::UnixStream>;
    type R = wsflow::smol::AsyncIoRuntime;

    fn block_on<F: Future>(future: F) -> F::Output {
        smol::block_on(future)
    }

    tcp_methods!(smol::net, smol, wsflow::smol::FuturesIo);

    fn unix(socket: UnixStream) -> Self::Unix {
        wsflow::smol::FuturesIo(socket.try_into().expect("register"))
    }
}

struct AsyncStdHarness;

impl Harness for AsyncStdHarness {
    type Tcp = wsflow::async_std::AsyncStdIo<wsflow::async_std::MaybeTlsStream>;
    type Unix = wsflow::async_std::AsyncStdIo<async_std::os::unix::net::UnixStream>;
    type R = wsflow::async_std::AsyncIoRuntime;

    fn block_on<F: Future>(future: F) -> F::Output {
        async_std::task::block_on(future)
    }

    tcp_methods!(async_std::net, async_std, wsflow::async_std::AsyncStdIo);

    fn unix(socket: UnixStream) -> Self::Unix {
        wsflow::async_std::AsyncStdIo(socket.into())
    }
}

/// Connections and the futures of their methods can move to a multi-threaded runtime's
/// worker (`tokio::spawn` needs `Send`), and the halves can go to different tasks.
#[allow(dead_code)]
fn futures_are_send(ws: &mut wsflow::tokio::WebSocketStream, message: wsflow::Message) {
    fn send<T: Send>(_: T) {}
    fn sync<T: Sync>(_: &T) {}
    sync(ws);
    send(ws.recv());
    send(ws.recv_event());
    send(ws.send(message));
    send(ws.flush());
    send(ws.close(wsflow::CloseCode::NORMAL, ""));
    send(wsflow::tokio::connect("ws://localhost/"));
    send(wsflow::smol::connect("ws://localhost/"));
    send(wsflow::async_std::connect("ws://localhost/"));
}

#[allow(dead_code)]
fn halves_are_send(ws: wsflow::smol::WebSocketStream) {
    fn send<T: Send + 'static>(_: T) {}
    let (mut tx, mut rx) = ws.split();
    send(async move { tx.send("x").await });
    send(async move { rx.recv().await });
}

/// tokio's in-memory `DuplexStream` through the same bridge: a server that is not polled
/// stops reading, the client's `send` waits with bounded memory, and once the server runs
/// every message arrives and the close handshake ends with its FIN.
#[test]
fn tokio_duplex_backpressure_and_close() {
    use std::time::Duration;

    use wsflow::core::{Config, Connection, Role};
    use wsflow::tokio::{TokioIo, TokioRuntime};
    use wsflow::{CloseCode, Runtime, WebSocket};

    TokioHarness::block_on(async {
        let (a, b) = tokio::io::duplex(16 << 10);
        let now = TokioRuntime::now();
        let client_conn = Connection::new(Role::Client, Config::default(), now);
        let server_conn = Connection::new(Role::Server, Config::default(), now);
        let mut client = WebSocket::<_, TokioRuntime>::from_connection(TokioIo(a), client_conn);
        let mut server = WebSocket::<_, TokioRuntime>::from_connection(TokioIo(b), server_conn);

        let mut sent = 0usize;
        let flood = async {
            loop {
                client.send(vec![1u8; 8 << 10]).await.expect("send");
                sent += 1;
            }
        };
        assert!(
            tokio::time::timeout(Duration::from_millis(100), flood)
                .await
                .is_err()
        );
        let high_water = Config::default().write_buffer_high_water;
        assert!(client.buffered_amount() <= high_water + (8 << 10) + 14);
        assert!(
            sent < 20,
            "{sent} messages of 8 KiB went into a 16 KiB pipe"
        );

        let receiving = async {
            for _ in 0..sent {
                let message = server.recv().await.expect("recv").expect("message");
                assert_eq!(message.len(), 8 << 10);
            }
            assert_eq!(server.recv().await.expect("clean end"), None);
        };
        let closing = async {
            client.flush().await.expect("flush");
            let report = client.close(CloseCode::NORMAL, "").await.expect("close");
            assert!(report.was_clean(), "{report:?}");
        };
        futures_util::future::join(receiving, closing).await;
    });
}
