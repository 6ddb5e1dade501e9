//! The scripted peer over HTTP/2: the `h2` crate's client (when the endpoint under test is a
//! server) or server (when it is a client), with the one stream the WebSocket runs on, and
//! the text form of HTTP/2 heads that handshake scripts read and write.

use std::fmt::Write as _;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Response, StatusCode, Version};
use tokio::io::DuplexStream;
use wsflow::h2::h2_crate as h2;

use h2::client::{ResponseFuture, SendRequest};
use h2::server::SendResponse;
use h2::{RecvStream, SendStream};

/// The stream window of the peer while it reads (RFC 9113's default).
pub(super) const READING_WINDOW: u32 = 65_535;

/// The peer's HTTP/2 connection.
pub(super) enum PeerConnection {
    /// The peer is the client: it opens the stream.
    Client {
        conn: h2::client::Connection<DuplexStream, Bytes>,
        requests: SendRequest<Bytes>,
    },
    /// The peer is the server: it answers the endpoint's extended CONNECT.
    Server {
        conn: h2::server::Connection<DuplexStream, Bytes>,
    },
}

/// The scripted peer: its connection, its end of the WebSocket's stream, and what it
/// received.
pub(super) struct Peer {
    conn: PeerConnection,
    /// The connection ended (or failed): it is not polled any more.
    conn_done: bool,
    /// The answer to the peer's request, awaited.
    response: Option<ResponseFuture>,
    /// The handle to answer the endpoint's request with, until the script's head comes.
    respond: Option<SendResponse<Bytes>>,
    /// The peer's sending half of the stream.
    send: Option<SendStream<Bytes>>,
    /// The peer's receiving half of the stream.
    recv: Option<RecvStream>,
    /// A head the script is writing (`peer sends http`), until its blank line.
    head: Option<Vec<u8>>,
    /// What the peer received: heads as text, then the DATA payloads.
    pub(super) received: Vec<u8>,
    /// The endpoint ended its stream (`END_STREAM`).
    pub(super) end_stream: bool,
    /// The peer takes DATA and gives window back.
    reading: bool,
    /// The stream's DATA is the body of a refusal (a non-2xx answer), not WebSocket frames:
    /// taken but not recorded. HTTP/2 frames a body by `END_STREAM`, not `Content-Length`,
    /// so the text form of the head could not tell the executor where the body ends; an
    /// HTTP/1.1 refusal's body is not judged either (`expect http status` skips it).
    refusal_body: bool,
}

impl Peer {
    pub(super) fn new(conn: PeerConnection) -> Self {
        Peer {
            conn,
            conn_done: false,
            response: None,
            respond: None,
            send: None,
            recv: None,
            head: None,
            received: Vec::new(),
            end_stream: false,
            reading: true,
            refusal_body: false,
        }
    }

    /// Whether the peer (as a client) may send an extended CONNECT: the endpoint's server
    /// advertised `SETTINGS_ENABLE_CONNECT_PROTOCOL`.
    pub(super) fn extended_connect_enabled(&self) -> bool {
        match &self.conn {
            PeerConnection::Client { requests, .. } => {
                requests.is_extended_connect_protocol_enabled()
            }
            PeerConnection::Server { .. } => false,
        }
    }

    /// The script writes a head next: bytes gather until its blank line.
    pub(super) fn expect_head(&mut self) {
        self.head = Some(Vec::new());
    }

    /// The peer (as a client) sends `request` on a new stream.
    pub(super) fn send_request(&mut self, request: Request<()>) {
        let PeerConnection::Client { requests, .. } = &mut self.conn else {
            panic!("only a client peer sends requests");
        };
        let (response, send) = requests
            .send_request(request, false)
            .unwrap_or_else(|error| panic!("the peer cannot send its request: {error}"));
        self.response = Some(response);
        self.send = Some(send);
    }

    /// The peer (as a server) answers the endpoint's request with `response`.
    pub(super) fn send_response(&mut self, response: Response<()>) {
        let Some(mut respond) = self.respond.take() else {
            panic!("the script answers a request that has not come");
        };
        match respond.send_response(response, false) {
            Ok(send) => self.send = Some(send),
            // The endpoint reset its stream already: nothing to answer (and nothing more
            // will be received on it).
            Err(_) => self.recv = None,
        }
    }

    /// The script's bytes: a head while one is being written (then what follows it), else
    /// one DATA frame.
    pub(super) fn send(&mut self, piece: &[u8]) {
        let Some(head) = &mut self.head else {
            self.send_data(piece);
            return;
        };
        head.extend_from_slice(piece);
        let Some(end) = head.windows(4).position(|w| w == b"\r\n\r\n") else {
            return;
        };
        let bytes = std::mem::take(head);
        self.head = None;
        let (head, rest) = bytes.split_at(end + 4);
        let text = String::from_utf8_lossy(head);
        if matches!(self.conn, PeerConnection::Client { .. }) {
            let request = parse_request(&text).unwrap_or_else(|error| panic!("{error}"));
            self.send_request(request);
        } else {
            let response = parse_response(&text).unwrap_or_else(|error| panic!("{error}"));
            self.send_response(response);
        }
        if !rest.is_empty() {
            self.send_data(rest);
        }
    }

    fn send_data(&mut self, piece: &[u8]) {
        if let Some(send) = &mut self.send {
            // Fails only on a stream the endpoint reset: the bytes are lost, as on a socket
            // the other side closed.
            let _ = send.send_data(Bytes::copy_from_slice(piece), false);
        }
    }

    /// `END_STREAM`: an empty DATA frame that ends the peer's half.
    pub(super) fn eof(&mut self) {
        if let Some(send) = &mut self.send {
            let _ = send.send_data(Bytes::new(), true);
        }
    }

    /// Stops or resumes reading: the stream window closes (`SETTINGS_INITIAL_WINDOW_SIZE`
    /// 0) or opens again.
    pub(super) fn set_reading(&mut self, reading: bool) {
        self.reading = reading;
        let window = if reading { READING_WINDOW } else { 0 };
        let result = match &mut self.conn {
            PeerConnection::Client { conn, .. } => conn.set_initial_window_size(window),
            PeerConnection::Server { conn } => conn.set_initial_window_size(window),
        };
        result.unwrap_or_else(|error| panic!("the peer cannot change its window: {error}"));
    }

    /// One pass over the peer: its connection's I/O, the answer or request awaited, and the
    /// stream's DATA while it reads.
    pub(super) fn poll(&mut self, cx: &mut Context<'_>) {
        if !self.conn_done {
            self.poll_connection(cx);
        }
        if let Some(response) = &mut self.response {
            if let Poll::Ready(result) = Pin::new(response).poll(cx) {
                self.response = None;
                // An error: the endpoint reset the stream instead of answering, so nothing
                // was sent.
                if let Ok(response) = result {
                    let (parts, body) = response.into_parts();
                    self.refusal_body = !parts.status.is_success();
                    self.received
                        .extend_from_slice(response_text(parts.status, &parts.headers).as_bytes());
                    self.recv = Some(body);
                }
            }
        }
        self.poll_data(cx);
    }

    fn poll_connection(&mut self, cx: &mut Context<'_>) {
        match &mut self.conn {
            PeerConnection::Client { conn, .. } => {
                if Pin::new(conn).poll(cx).is_ready() {
                    self.conn_done = true;
                }
            }
            PeerConnection::Server { conn } => loop {
                match conn.poll_accept(cx) {
                    Poll::Ready(Some(Ok((request, respond)))) => {
                        if self.respond.is_some() || self.recv.is_some() {
                            // One WebSocket per run: a second stream is refused.
                            let mut respond = respond;
                            respond.send_reset(h2::Reason::REFUSED_STREAM);
                            continue;
                        }
                        let (parts, body) = request.into_parts();
                        let protocol = parts.extensions.get::<h2::ext::Protocol>();
                        self.received
                            .extend_from_slice(request_text(&parts, protocol).as_bytes());
                        self.respond = Some(respond);
                        self.recv = Some(body);
                    }
                    Poll::Ready(_) => {
                        self.conn_done = true;
                        break;
                    }
                    Poll::Pending => break,
                }
            },
        }
    }

    fn poll_data(&mut self, cx: &mut Context<'_>) {
        let Some(recv) = &mut self.recv else {
            return;
        };
        if !self.reading {
            return;
        }
        loop {
            match recv.poll_data(cx) {
                Poll::Ready(Some(Ok(data))) => {
                    if !self.refusal_body {
                        self.received.extend_from_slice(&data);
                    }
                    let _ = recv.flow_control().release_capacity(data.len());
                }
                Poll::Ready(Some(Err(_))) => {
                    // A reset (an abort, a dropped WebSocket): not an `END_STREAM`, so not a
                    // shutdown; nothing more comes.
                    self.recv = None;
                    return;
                }
                Poll::Ready(None) => {
                    self.end_stream = true;
                    self.recv = None;
                    return;
                }
                Poll::Pending => return,
            }
        }
    }
}

/// The text form of a response head: `HTTP/2 STATUS`, then `name: value` lines.
fn response_text(status: StatusCode, headers: &HeaderMap) -> String {
    let mut text = format!("HTTP/2 {}\r\n", status.as_u16());
    push_fields(&mut text, headers);
    text.push_str("\r\n");
    text
}

/// The text form of a request head: `METHOD PATH HTTP/2`, the pseudo-header fields
/// `:authority`, `:scheme` and `:protocol` (those present), then `name: value` lines.
fn request_text(parts: &http::request::Parts, protocol: Option<&h2::ext::Protocol>) -> String {
    let path = parts.uri.path_and_query().map_or("", |p| p.as_str());
    let mut text = format!("{} {path} HTTP/2\r\n", parts.method);
    if let Some(authority) = parts.uri.authority() {
        let _ = write!(text, ":authority: {authority}\r\n");
    }
    if let Some(scheme) = parts.uri.scheme_str() {
        let _ = write!(text, ":scheme: {scheme}\r\n");
    }
    if let Some(protocol) = protocol {
        let _ = write!(text, ":protocol: {}\r\n", protocol.as_str());
    }
    push_fields(&mut text, &parts.headers);
    text.push_str("\r\n");
    text
}

fn push_fields(text: &mut String, headers: &HeaderMap) {
    for (name, value) in headers {
        let _ = write!(
            text,
            "{name}: {}\r\n",
            String::from_utf8_lossy(value.as_bytes())
        );
    }
}

/// A head's lines after the start line, as pseudo-header fields and header fields.
fn fields(lines: std::str::Lines<'_>) -> Result<(Vec<(String, String)>, HeaderMap), String> {
    let mut pseudo = Vec::new();
    let mut headers = HeaderMap::new();
    for line in lines.filter(|line| !line.is_empty()) {
        let (name, value) = match line.strip_prefix(':') {
            Some(rest) => {
                let (name, value) = rest
                    .split_once(':')
                    .ok_or_else(|| format!("bad pseudo-header line {line:?}"))?;
                pseudo.push((name.trim().to_owned(), value.trim().to_owned()));
                continue;
            }
            None => line
                .split_once(':')
                .ok_or_else(|| format!("bad header line {line:?}"))?,
        };
        let name = HeaderName::from_bytes(name.trim().as_bytes()).map_err(|e| e.to_string())?;
        let value = HeaderValue::from_str(value.trim()).map_err(|e| e.to_string())?;
        headers.append(name, value);
    }
    Ok((pseudo, headers))
}

/// The script's request head (`CONNECT /chat HTTP/2`, `:authority: …`, `:scheme: …`,
/// `:protocol: …`, fields) as the request the peer sends; `:authority` defaults to
/// `server.example.com` and `:scheme` to `https`. `h2` itself leaves `:scheme` and `:path`
/// out of a CONNECT without `:protocol` (RFC 9113 §8.5).
pub(super) fn parse_request(text: &str) -> Result<Request<()>, String> {
    let mut lines = text.lines();
    let start = lines.next().unwrap_or_default();
    let mut words = start.split(' ');
    let (Some(method), Some(path), Some("HTTP/2"), None) =
        (words.next(), words.next(), words.next(), words.next())
    else {
        return Err(format!("bad HTTP/2 request line {start:?}"));
    };
    let (pseudo, headers) = fields(lines)?;
    let find = |name: &str| {
        pseudo
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let authority = find("authority").unwrap_or_else(|| "server.example.com".into());
    let scheme = find("scheme").unwrap_or_else(|| "https".into());
    let method = Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?;
    let mut request = Request::builder()
        .method(method)
        .uri(format!("{scheme}://{authority}{path}"))
        .version(Version::HTTP_2)
        .body(())
        .map_err(|e| e.to_string())?;
    *request.headers_mut() = headers;
    if let Some(protocol) = find("protocol") {
        request
            .extensions_mut()
            .insert(h2::ext::Protocol::from(protocol.as_str()));
    }
    Ok(request)
}

/// The script's response head (`HTTP/2 STATUS`, fields) as the response the peer sends.
fn parse_response(text: &str) -> Result<Response<()>, String> {
    let mut lines = text.lines();
    let start = lines.next().unwrap_or_default();
    let status = start
        .strip_prefix("HTTP/2 ")
        .and_then(|status| status.trim().parse::<u16>().ok())
        .and_then(|status| StatusCode::from_u16(status).ok())
        .ok_or_else(|| format!("bad HTTP/2 status line {start:?}"))?;
    let (pseudo, headers) = fields(lines)?;
    if let Some((name, _)) = pseudo.first() {
        return Err(format!("a response has no `:{name}`"));
    }
    let mut response = Response::new(());
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    Ok(response)
}
