//! The HTTP/2 session: the endpoint's HTTP/2 connection (`wsflow::h2`), the WebSocket on its
//! stream with the emulated application, and the scripted peer, all polled in passes until
//! nothing more happens.

use std::future::{Future, poll_fn, ready};
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use http::{Method, Request, Version};
use tokio::io::DuplexStream;
use wsflow::h2::{Client, ClientConnection, H2Stream, ServerConnection, h2_crate as h2};
use wsflow::tokio::TokioRuntime;
use wsflow::{AcceptOptions, ClientRequest, Reject};
use wsflow_core::Role;
use wsflow_core::mask::FixedMask;

use super::H2Defect;
use super::peer::{Peer, PeerConnection, READING_WINDOW};
use super::tap::EndpointIo;
use crate::runner::adapter_runner::endpoint::{Endpoint, Opening};
use crate::runner::lifecycle::{client_request, decide};
use crate::runner::{ActionError, Observation, Session, Setup};
use crate::script::{AppAction, DEFAULT_URL, HandshakeOutcome, HandshakeSetup};

/// The bytes the in-memory pipe between the two HTTP/2 connections holds.
const PIPE: usize = 1 << 20;

/// The endpoint's HTTP/2 connection: what drives its I/O.
enum EndpointSide {
    /// A server: the accept loop, which opens the WebSocket on the first request.
    Server {
        conn: ServerConnection<EndpointIo>,
        options: AcceptOptions,
        done: bool,
    },
    /// A client: the connection's future, and the handle that opens the WebSocket.
    Client {
        conn: Option<ClientConnection<EndpointIo>>,
        client: Option<Client>,
    },
}

/// Everything a pass polls.
struct Parts {
    setup: Setup,
    side: EndpointSide,
    endpoint: Option<Endpoint<H2Stream, TokioRuntime>>,
    peer: Peer,
}

/// One script run over HTTP/2.
pub(super) struct H2Session {
    rt: tokio::runtime::Runtime,
    parts: Parts,
}

impl H2Session {
    /// Both HTTP/2 connections up; the WebSocket's stream open already unless the script
    /// plays the extended CONNECT itself.
    pub(super) fn open(setup: &Setup, defect: Option<H2Defect>) -> Self {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .expect("a current-thread tokio runtime");
        let (ours, theirs) = tokio::io::duplex(PIPE);
        let ours = EndpointIo::new(ours, defect, setup.role == Role::Client);
        let (side, peer) = rt.block_on(tokio::task::unconstrained(connect(setup, ours, theirs)));
        let mut session = H2Session {
            rt,
            parts: Parts {
                setup: setup.clone(),
                side,
                endpoint: None,
                peer,
            },
        };
        session.settle();
        let http2_handshake = setup.handshake.as_ref().filter(|hs| hs.http2);
        match (setup.role, http2_handshake) {
            (Role::Client, hs) => {
                session.open_client(hs);
                session.settle();
                if hs.is_none() {
                    session.parts.peer.send_response(http::Response::new(()));
                    session.settle();
                }
            }
            (Role::Server, Some(_)) => session.parts.peer.expect_head(),
            (Role::Server, None) => {
                assert!(
                    session.parts.peer.extended_connect_enabled(),
                    "the server did not advertise extended CONNECT"
                );
                session.parts.peer.send_request(websocket_request());
                session.settle();
            }
        }
        if http2_handshake.is_none() {
            // The stream is open: what the opening left is not the script's.
            let observation = session.observe();
            assert!(
                matches!(observation.handshake, Some(HandshakeOutcome::Open(None))),
                "the extended CONNECT failed ({:?}): {:?}",
                setup.role,
                observation.handshake
            );
        } else if setup.role == Role::Client {
            session.parts.peer.expect_head();
        }
        session
    }

    /// The client opens its WebSocket with `Client::websocket_masked`: the script's
    /// request for a handshake script, a plain one otherwise.
    fn open_client(&mut self, hs: Option<&HandshakeSetup>) {
        let EndpointSide::Client { client, .. } = &mut self.parts.side else {
            unreachable!("a client endpoint has a client side");
        };
        let client = client.take().expect("the client handle");
        let request = match hs {
            Some(hs) => client_request(hs),
            None => ClientRequest::new(DEFAULT_URL).expect("the default URL"),
        };
        let config = self.parts.setup.config.clone();
        let masks = Box::new(FixedMask(self.parts.setup.our_mask));
        let opening: Opening<H2Stream, TokioRuntime> = Box::pin(async move {
            client
                .websocket_masked::<TokioRuntime>(request, config, Some(masks))
                .await
        });
        self.parts.endpoint = Some(Endpoint::new(None, Some(opening)));
    }

    /// Polls everything until nothing more happens.
    fn settle(&mut self) {
        let parts = &mut self.parts;
        self.rt.block_on(tokio::task::unconstrained(poll_fn(|cx| {
            parts.settle(cx);
            Poll::Ready(())
        })));
    }
}

/// The endpoint's and the peer's HTTP/2 connections over the pipe, both past their
/// handshakes: the endpoint's server advertises extended CONNECT; the peer's server does
/// unless the script withholds it.
async fn connect(setup: &Setup, ours: EndpointIo, theirs: DuplexStream) -> (EndpointSide, Peer) {
    match setup.role {
        Role::Server => {
            let mut builder = h2::client::Builder::new();
            builder.initial_window_size(READING_WINDOW);
            let (server, peer) =
                tokio::join!(ServerConnection::handshake(ours), builder.handshake(theirs));
            let conn = server.expect("the endpoint's HTTP/2 server handshake");
            let (requests, peer_conn) = peer.expect("the peer's HTTP/2 client handshake");
            let mut options = AcceptOptions::new().config(setup.config.clone());
            if let Some(hs) = &setup.handshake {
                options.deflate.clone_from(&hs.deflate);
            }
            let side = EndpointSide::Server {
                conn,
                options,
                done: false,
            };
            (
                side,
                Peer::new(PeerConnection::Client {
                    conn: peer_conn,
                    requests,
                }),
            )
        }
        Role::Client => {
            let mut builder = h2::server::Builder::new();
            builder.initial_window_size(READING_WINDOW);
            if !setup
                .handshake
                .as_ref()
                .is_some_and(|hs| hs.connect_protocol_withheld)
            {
                builder.enable_connect_protocol();
            }
            // The client's handshake waits for a PING answer, so the peer's connection is
            // driven as soon as it exists.
            let mut peer_handshake = pin!(builder.handshake::<_, bytes::Bytes>(theirs));
            let mut client_handshake = pin!(wsflow::h2::handshake(ours));
            let mut peer_conn = None;
            let mut client = None;
            poll_fn(|cx| {
                if peer_conn.is_none() {
                    if let Poll::Ready(result) = peer_handshake.as_mut().poll(cx) {
                        peer_conn = Some(result.expect("the peer's HTTP/2 server handshake"));
                    }
                }
                if let Some(conn) = &mut peer_conn {
                    if let Poll::Ready(request) = conn.poll_accept(cx) {
                        panic!(
                            "a request before the handshake: {:?}",
                            request.map(|r| r.is_ok())
                        );
                    }
                }
                if client.is_none() {
                    if let Poll::Ready(result) = client_handshake.as_mut().poll(cx) {
                        client = Some(result.expect("the endpoint's HTTP/2 client handshake"));
                    }
                }
                if peer_conn.is_some() && client.is_some() {
                    Poll::Ready(())
                } else {
                    Poll::Pending
                }
            })
            .await;
            let (client, conn) = client.expect("done");
            let side = EndpointSide::Client {
                conn: Some(conn),
                client: Some(client),
            };
            let conn = peer_conn.expect("done");
            (side, Peer::new(PeerConnection::Server { conn }))
        }
    }
}

/// The extended CONNECT a script without a handshake starts with (RFC 8441 §5).
fn websocket_request() -> Request<()> {
    let mut request = Request::builder()
        .method(Method::CONNECT)
        .uri("https://server.example.com/chat")
        .version(Version::HTTP_2)
        .header("sec-websocket-version", "13")
        .body(())
        .expect("a valid request");
    request
        .extensions_mut()
        .insert(h2::ext::Protocol::from_static("websocket"));
    request
}

/// A waker that notes it was woken, and passes the wake on to the runtime's.
struct Noting {
    woken: AtomicBool,
    outer: Waker,
}

impl Wake for Noting {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::SeqCst);
        self.outer.wake_by_ref();
    }
}

/// Most passes one settling takes (a guard against a loop that never settles).
const MAX_PASSES: usize = 100_000;

impl Parts {
    /// Passes over everything until one pass wakes nothing: then every part has seen every
    /// change and waits for new input or time.
    fn settle(&mut self, cx: &mut Context<'_>) {
        for _ in 0..MAX_PASSES {
            let noting = Arc::new(Noting {
                woken: AtomicBool::new(false),
                outer: cx.waker().clone(),
            });
            let waker = Waker::from(noting.clone());
            self.pass(&mut Context::from_waker(&waker));
            if !noting.woken.load(Ordering::SeqCst) {
                return;
            }
        }
        panic!("the HTTP/2 endpoint and its peer never settle");
    }

    fn pass(&mut self, cx: &mut Context<'_>) {
        self.poll_side(cx);
        if let Some(endpoint) = &mut self.endpoint {
            endpoint.pump(cx);
        }
        self.peer.poll(cx);
    }

    /// The endpoint's connection: a client's future, or a server's accept loop, which
    /// answers the first request with `IncomingRequest::accept` (the script's setup decides
    /// as on every runner) and refuses any other stream.
    fn poll_side(&mut self, cx: &mut Context<'_>) {
        match &mut self.side {
            EndpointSide::Client { conn, .. } => {
                if let Some(driver) = conn {
                    if Pin::new(driver).poll(cx).is_ready() {
                        *conn = None;
                    }
                }
            }
            EndpointSide::Server {
                conn,
                options,
                done,
            } => {
                while !*done {
                    match conn.poll_accept(cx) {
                        Poll::Ready(Some(Ok(request))) => {
                            if self.endpoint.is_some() {
                                request.respond(http::StatusCode::SERVICE_UNAVAILABLE);
                                continue;
                            }
                            let setup = &self.setup;
                            let reject = setup
                                .handshake
                                .as_ref()
                                .and_then(|hs| hs.reject)
                                .and_then(|status| http::StatusCode::from_u16(status).ok());
                            let result =
                                request.accept::<TokioRuntime, _>(
                                    options,
                                    |upgrade| match reject {
                                        Some(status) => Err(Reject::new(status)),
                                        None => Ok(decide(setup, upgrade)),
                                    },
                                );
                            let opening: Opening<H2Stream, TokioRuntime> = Box::pin(ready(result));
                            self.endpoint = Some(Endpoint::new(None, Some(opening)));
                        }
                        Poll::Ready(_) => *done = true,
                        Poll::Pending => break,
                    }
                }
            }
        }
    }
}

impl Session for H2Session {
    fn peer_send(&mut self, piece: &[u8]) {
        self.parts.peer.send(piece);
        self.settle();
    }

    fn peer_eof(&mut self) {
        self.parts.peer.eof();
        self.settle();
    }

    fn set_peer_reading(&mut self, reading: bool) {
        self.parts.peer.set_reading(reading);
        self.settle();
    }

    fn set_draining(&mut self, draining: bool) {
        if let Some(endpoint) = &mut self.parts.endpoint {
            endpoint.draining = draining;
        }
        self.settle();
    }

    fn take_events(&mut self, n: usize) {
        if let Some(endpoint) = &mut self.parts.endpoint {
            endpoint.budget = n;
        }
        self.settle();
    }

    fn advance(&mut self, by: Duration) {
        let parts = &mut self.parts;
        self.rt.block_on(tokio::task::unconstrained(async {
            // While this future pends the paused runtime is idle, so tokio moves its clock
            // to the next timer — the WebSocket's or this sleep — and deadlines fire in order.
            let mut sleep = pin!(tokio::time::sleep(by));
            poll_fn(|cx| {
                parts.settle(cx);
                sleep.as_mut().poll(cx)
            })
            .await;
            poll_fn(|cx| {
                parts.settle(cx);
                Poll::Ready(())
            })
            .await;
        }));
    }

    fn app(&mut self, action: &AppAction) -> Result<(), ActionError> {
        let Some(endpoint) = &mut self.parts.endpoint else {
            return Err(ActionError::Other(
                "no WebSocket: the stream was never opened".into(),
            ));
        };
        let result = self
            .rt
            .block_on(poll_fn(|cx| Poll::Ready(endpoint.act(cx, action))));
        self.settle();
        result
    }

    fn observe(&mut self) -> Observation {
        self.settle();
        let mut observation = match &mut self.parts.endpoint {
            Some(endpoint) => endpoint.observe(),
            None => Observation::default(),
        };
        observation.sent = std::mem::take(&mut self.parts.peer.received);
        observation.shutdown = self.parts.peer.end_stream;
        observation
    }
}
