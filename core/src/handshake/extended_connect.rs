//! WebSockets over HTTP/2 (RFC 8441): the extended CONNECT that replaces the HTTP/1.1
//! upgrade. Only the opening differs; the offers are checked and negotiated by the same code
//! as on HTTP/1.1, and the frames that follow are the same.
//!
//! The HTTP/2 framing itself (SETTINGS, streams, `:protocol`) belongs to an HTTP/2 library;
//! the core sees the request as `http::request::Parts` plus the `:protocol` value, and the
//! response as an `http::Response<()>`.

use bytes::Bytes;
use http::{Method, Request, Version, header};

use super::client::ClientResponse;
use super::client::agreement;
use super::error::HandshakeError;
use super::headers::only_value;
use super::request::ClientRequest;
use super::server::{UpgradeRequest, offers};

impl UpgradeRequest {
    /// Checks an HTTP/2 extended CONNECT (RFC 8441 §4, §5) that an HTTP/2 server has parsed:
    /// method `CONNECT`, `protocol` (the `:protocol` pseudo-header, which `http` has no
    /// field for; with `h2` it is the `h2::ext::Protocol` request extension) equal to
    /// `websocket`, an HTTP/2 or HTTP/3 request, `Sec-WebSocket-Version: 13`, and well-formed
    /// subprotocol and extension lists, exactly as [`Self::from_parts`] checks them. There is
    /// no key, and no `Upgrade`, `Connection` or `Host` to check (the authority is in the
    /// URI). Answer with [`Connection::accept_request`](crate::Connection::accept_request),
    /// which gives the `200` response, or with [`HandshakeError::http_status`].
    ///
    /// A request that is not `CONNECT` fails with [`HandshakeError::MethodNotAllowed`]; route
    /// such requests elsewhere before calling this.
    ///
    /// ```
    /// use wsflow_core::handshake::UpgradeRequest;
    ///
    /// let request = http::Request::connect("https://example.com/chat")
    ///     .version(http::Version::HTTP_2)
    ///     .header("sec-websocket-version", "13")
    ///     .header("sec-websocket-protocol", "chat")
    ///     .body(())
    ///     .unwrap();
    /// let (parts, ()) = request.into_parts();
    /// let upgrade = UpgradeRequest::from_h2_parts(&parts, Some("websocket"))?;
    /// assert!(upgrade.is_extended_connect());
    /// assert_eq!(upgrade.subprotocols, ["chat"]);
    /// # Ok::<(), wsflow_core::handshake::HandshakeError>(())
    /// ```
    pub fn from_h2_parts(
        parts: &http::request::Parts,
        protocol: Option<&str>,
    ) -> Result<UpgradeRequest, HandshakeError> {
        if parts.method != Method::CONNECT {
            return Err(HandshakeError::MethodNotAllowed(parts.method.to_string()));
        }
        if parts.version != Version::HTTP_2 && parts.version != Version::HTTP_3 {
            return Err(HandshakeError::UnsupportedHttpVersion);
        }
        // RFC 8441 §4 registers the token `websocket`; tokens compare case-insensitively.
        if !protocol.is_some_and(|protocol| protocol.eq_ignore_ascii_case("websocket")) {
            return Err(HandshakeError::InvalidProtocol);
        }
        if only_value(&parts.headers, &header::SEC_WEBSOCKET_VERSION) != Some(b"13") {
            return Err(HandshakeError::UnsupportedVersion);
        }
        let mut request = Request::new(());
        *request.method_mut() = parts.method.clone();
        *request.uri_mut() = parts.uri.clone();
        *request.version_mut() = parts.version;
        *request.headers_mut() = parts.headers.clone();
        offers(request, None)
    }
}

impl ClientRequest {
    /// Checks the server's answer to [`Self::to_h2_request`]: a 2xx status (RFC 8441 §5),
    /// then the subprotocol and extensions as for a `101`.
    pub(crate) fn check_h2_response(
        &self,
        response: http::Response<()>,
    ) -> Result<ClientResponse, HandshakeError> {
        self.validate()?;
        if !response.status().is_success() {
            let mut refused = http::Response::new(Bytes::new());
            *refused.status_mut() = response.status();
            *refused.version_mut() = response.version();
            refused.headers_mut().clone_from(response.headers());
            return Err(HandshakeError::UnexpectedStatus(Box::new(refused)));
        }
        let (subprotocol, extensions, extension) = agreement(
            &self.subprotocols,
            &self.extensions,
            self.deflate.as_ref(),
            response.headers(),
        )?;
        Ok(ClientResponse {
            response,
            subprotocol,
            extensions,
            extension,
            leftover: Bytes::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extension::deflate::DeflateConfig;
    use crate::handshake::Accept;

    fn connect(edit: impl FnOnce(http::request::Builder) -> http::request::Builder) -> Request<()> {
        let builder = Request::connect("https://example.com/chat")
            .version(Version::HTTP_2)
            .header("sec-websocket-version", "13");
        edit(builder).body(()).unwrap()
    }

    fn check(
        request: Request<()>,
        protocol: Option<&str>,
    ) -> Result<UpgradeRequest, HandshakeError> {
        let (parts, ()) = request.into_parts();
        UpgradeRequest::from_h2_parts(&parts, protocol)
    }

    #[test]
    fn accepts_an_extended_connect_and_answers_200_without_upgrade_headers() {
        let request = connect(|b| {
            b.header("origin", "https://example.com")
                .header("sec-websocket-protocol", "chat, superchat")
                .header("sec-websocket-extensions", "permessage-deflate")
        });
        let upgrade = check(request, Some("websocket")).unwrap();
        assert_eq!(upgrade.origin(), Some("https://example.com"));
        assert_eq!(upgrade.subprotocols, ["chat", "superchat"]);
        assert_eq!(upgrade.extensions.len(), 1);
        let response = upgrade.accept_response(&Accept::new().subprotocol("chat"));
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["sec-websocket-protocol"], "chat");
        for absent in ["upgrade", "connection", "sec-websocket-accept"] {
            assert!(!response.headers().contains_key(absent), "{absent}");
        }
    }

    #[test]
    fn refuses_what_rfc_8441_and_6455_forbid() {
        let cases = [
            (connect(|b| b), None, HandshakeError::InvalidProtocol),
            (
                connect(|b| b),
                Some("chat"),
                HandshakeError::InvalidProtocol,
            ),
            (
                connect(|b| b.version(Version::HTTP_11)),
                Some("websocket"),
                HandshakeError::UnsupportedHttpVersion,
            ),
            (
                connect(|b| b.method(Method::GET)),
                Some("websocket"),
                HandshakeError::MethodNotAllowed("GET".into()),
            ),
            (
                connect(|b| b.header("sec-websocket-protocol", "a b")),
                Some("websocket"),
                HandshakeError::InvalidSubprotocols,
            ),
        ];
        for (request, protocol, expected) in cases {
            let error = check(request, protocol).unwrap_err();
            assert_eq!(error, expected);
            assert!(error.http_status().is_some(), "{error}");
        }
        let (mut parts, ()) = connect(|b| b).into_parts();
        for version in [Some("8"), None] {
            match version {
                Some(version) => {
                    parts
                        .headers
                        .insert("sec-websocket-version", version.parse().unwrap());
                }
                None => drop(parts.headers.remove("sec-websocket-version")),
            }
            let error = UpgradeRequest::from_h2_parts(&parts, Some("websocket")).unwrap_err();
            assert_eq!(error, HandshakeError::UnsupportedVersion);
            assert_eq!(
                error.http_status(),
                Some(http::StatusCode::UPGRADE_REQUIRED)
            );
        }
    }

    fn response(status: u16, headers: &[(&str, &str)]) -> http::Response<()> {
        let mut builder = http::Response::builder()
            .status(status)
            .version(Version::HTTP_2);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(()).unwrap()
    }

    #[test]
    fn client_checks_the_200_like_a_101() {
        let request = ClientRequest::new("wss://example.com/")
            .unwrap()
            .subprotocol("chat")
            .deflate(DeflateConfig::default());
        let answer = response(
            200,
            &[
                ("sec-websocket-protocol", "chat"),
                ("sec-websocket-extensions", "permessage-deflate"),
            ],
        );
        let accepted = request.check_h2_response(answer).unwrap();
        assert_eq!(accepted.subprotocol.as_deref(), Some("chat"));
        assert!(accepted.extension.is_some());

        let refused = request.check_h2_response(response(403, &[])).unwrap_err();
        assert!(matches!(refused, HandshakeError::UnexpectedStatus(r) if r.status() == 403));
        let wrong = response(200, &[("sec-websocket-protocol", "other")]);
        assert_eq!(
            request.check_h2_response(wrong).unwrap_err(),
            HandshakeError::UnexpectedSubprotocol("other".into())
        );
        let unoffered = response(200, &[("sec-websocket-extensions", "x-ext")]);
        assert_eq!(
            request.check_h2_response(unoffered).unwrap_err(),
            HandshakeError::UnexpectedExtension("x-ext".into())
        );
    }

    #[test]
    fn both_roles_open_connections_that_agree() {
        use crate::handshake::ServerOptions;
        use crate::{Config, Connection, Event, State};
        use std::time::Instant;

        let now = Instant::now();
        let client_request = ClientRequest::new("ws://example.com/chat")
            .unwrap()
            .subprotocol("chat")
            .deflate(DeflateConfig::default());
        let (parts, ()) = client_request.to_h2_request().unwrap().into_parts();
        let upgrade = UpgradeRequest::from_h2_parts(&parts, Some("websocket")).unwrap();
        let options = ServerOptions {
            deflate: Some(DeflateConfig::default()),
            ..ServerOptions::default()
        };
        let accept = Accept::new().subprotocol("chat");
        let (response, mut server) =
            Connection::accept_request(&upgrade, accept, &options, Config::default(), now);
        assert_eq!(response.status(), 200);
        let mut client =
            Connection::client_h2(&client_request, response, Config::default(), now).unwrap();
        for conn in [&mut server, &mut client] {
            assert_eq!(conn.state(), State::Open);
            let Some(Event::Opened(opened)) = conn.poll_event() else {
                panic!("no Opened event");
            };
            assert_eq!(opened.subprotocol.as_deref(), Some("chat"));
            assert_eq!(opened.extensions.len(), 1);
        }
        let refusal = http::Response::builder().status(404).body(()).unwrap();
        assert!(matches!(
            Connection::client_h2(&client_request, refusal, Config::default(), now),
            Err(HandshakeError::UnexpectedStatus(_))
        ));
    }
}
