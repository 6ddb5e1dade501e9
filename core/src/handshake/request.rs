//! What a client asks for: the URL, subprotocols, extensions and extra headers.

use crate::extension::deflate::DeflateConfig;
use http::Uri;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};

use super::error::HandshakeError;
use super::headers::{is_handshake_header, is_safe_value, is_sendable_offer, is_token};
use super::limits::HandshakeLimits;
use crate::extension::ExtensionOffer;

/// A client's handshake request, built from a `ws://` or `wss://` URL.
///
/// The builder methods cannot fail; an invalid argument (a subprotocol that is not an HTTP
/// token, an extra header the handshake sets itself) is remembered and reported by
/// [`Self::validate`], and a [`ClientHandshake`](crate::handshake::ClientHandshake) built from
/// such a request sends nothing and fails on its first `receive`. Adapters call `validate`
/// before they open a connection.
///
/// ```
/// use wsflow_core::handshake::ClientRequest;
///
/// let request = ClientRequest::new("wss://example.com/chat?room=1")?
///     .subprotocol("chat.v2")
///     .subprotocol("chat.v1");
/// assert_eq!((request.host(), request.port(), request.is_secure()), ("example.com", 443, true));
/// assert_eq!(request.path(), "/chat?room=1");
/// # Ok::<(), wsflow_core::handshake::HandshakeError>(())
/// ```
#[derive(Debug, Clone)]
pub struct ClientRequest {
    host: String,
    port: u16,
    secure: bool,
    path: String,
    pub(crate) subprotocols: Vec<String>,
    pub(crate) extensions: Vec<ExtensionOffer>,
    pub(crate) headers: HeaderMap,
    pub(crate) limits: HandshakeLimits,
    pub(crate) deflate: Option<DeflateConfig>,
    invalid: Option<HandshakeError>,
}

impl ClientRequest {
    /// Parses a `ws://` or `wss://` URL (RFC 6455 §3). The port defaults to 80 or 443 and
    /// the path to `/`.
    pub fn new(url: &str) -> Result<ClientRequest, HandshakeError> {
        let invalid = |why: &str| HandshakeError::InvalidUrl(why.to_owned());
        // `http::Uri` drops a fragment silently; RFC 6455 §3 says it must not be used at all.
        if url.contains('#') {
            return Err(invalid("fragment identifiers are not allowed"));
        }
        let uri: Uri = url.parse().map_err(|error: http::uri::InvalidUri| {
            HandshakeError::InvalidUrl(error.to_string())
        })?;
        let scheme = uri.scheme_str().ok_or_else(|| invalid("missing scheme"))?;
        let secure = if scheme.eq_ignore_ascii_case("wss") {
            true
        } else if scheme.eq_ignore_ascii_case("ws") {
            false
        } else {
            return Err(HandshakeError::UnsupportedScheme(scheme.to_owned()));
        };
        let authority = uri.authority().ok_or_else(|| invalid("missing host"))?;
        // Credentials in the URL would otherwise be dropped without a word.
        if authority.as_str().contains('@') {
            return Err(invalid("user info is not allowed"));
        }
        let host = authority.host();
        let host = host
            .strip_prefix('[')
            .and_then(|inner| inner.strip_suffix(']'))
            .unwrap_or(host);
        if host.is_empty() {
            return Err(invalid("missing host"));
        }
        let port = match explicit_port(authority.as_str()) {
            Some(Ok(port)) => port,
            Some(Err(())) => return Err(invalid("invalid port")),
            None => {
                if secure {
                    443
                } else {
                    80
                }
            }
        };
        let path = match uri.path_and_query().map(http::uri::PathAndQuery::as_str) {
            Some(path) if path.starts_with('/') => path.to_owned(),
            Some(query) if !query.is_empty() => format!("/{query}"),
            _ => "/".to_owned(),
        };
        Ok(ClientRequest {
            host: host.to_owned(),
            port,
            secure,
            path,
            subprotocols: Vec::new(),
            extensions: Vec::new(),
            headers: HeaderMap::new(),
            limits: HandshakeLimits::default(),
            deflate: None,
            invalid: None,
        })
    }

    /// Offers a subprotocol; call again to offer more, most preferred first.
    pub fn subprotocol(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        if is_token(name.as_bytes()) {
            self.subprotocols.push(name);
        } else {
            self.fail(HandshakeError::InvalidSubprotocolName(name));
        }
        self
    }

    /// Offers an extension; offers are sent in the order they are added.
    pub fn extension(mut self, offer: ExtensionOffer) -> Self {
        if is_sendable_offer(&offer) {
            self.extensions.push(offer);
        } else {
            self.fail(HandshakeError::InvalidExtensionOffer(offer.name));
        }
        self
    }

    /// Offers permessage-deflate (RFC 7692) as `config` says; the handshake then checks the
    /// server's answer strictly and hands the negotiated codec out in
    /// [`ClientResponse::extension`](super::ClientResponse::extension).
    pub fn deflate(mut self, config: DeflateConfig) -> Self {
        for offer in config.client_offers() {
            self = self.extension(offer);
        }
        self.deflate = Some(config);
        self
    }

    /// Adds an extra header such as `Origin`, `Authorization` or `Cookie`. A `Host` header
    /// replaces the one derived from the URL. The WebSocket headers themselves (Upgrade,
    /// Connection, `Sec-WebSocket-*`) are rejected: they have their own builder methods.
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        if is_handshake_header(&name) {
            self.fail(HandshakeError::ReservedHeader(name));
        } else if !is_safe_value(value.as_bytes()) {
            self.fail(HandshakeError::InvalidHeaderValue(name));
        } else if name == header::HOST {
            self.headers.insert(name, value);
        } else {
            self.headers.append(name, value);
        }
        self
    }

    /// Replaces the limits on the server's response and the handshake timeout.
    pub fn limits(mut self, limits: HandshakeLimits) -> Self {
        self.limits = limits;
        self
    }

    /// The limits on the server's response and the handshake timeout.
    pub fn handshake_limits(&self) -> HandshakeLimits {
        self.limits
    }

    /// The host to connect to, without the brackets of an IPv6 literal.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port to connect to.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Whether the URL was `wss://`, so the adapter must wrap the connection in TLS.
    pub fn is_secure(&self) -> bool {
        self.secure
    }

    /// The request target: path and query, never empty.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The first invalid builder argument, if any.
    pub fn validate(&self) -> Result<(), HandshakeError> {
        match &self.invalid {
            Some(error) => Err(error.clone()),
            None => Ok(()),
        }
    }

    fn fail(&mut self, error: HandshakeError) {
        self.invalid.get_or_insert(error);
    }

    /// The `Host` value: brackets restored around IPv6 literals, and the port only when it
    /// is not the scheme's default (RFC 6455 §4.1 item 4).
    fn host_header(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        let default_port = if self.secure { 443 } else { 80 };
        if self.port == default_port {
            host
        } else {
            format!("{host}:{}", self.port)
        }
    }

    /// The HTTP/2 extended CONNECT request for this WebSocket (RFC 8441 §4): method
    /// `CONNECT`, version HTTP/2, the URI with `ws`/`wss` mapped to `http`/`https` (its
    /// scheme, authority and path become the `:scheme`, `:authority` and `:path`
    /// pseudo-headers), `Sec-WebSocket-Version: 13`, the subprotocol and extension offers, and
    /// the extra headers. There is no key, `Upgrade` or `Connection`; a `Host` header becomes
    /// the authority, and HTTP/1.1-only fields (`Keep-Alive`, `Transfer-Encoding`, `TE`,
    /// `Proxy-Connection`) are left out, as HTTP/2 forbids them.
    ///
    /// `:protocol = websocket` is not an `http` concept: the HTTP/2 layer adds it (with `h2`,
    /// the `h2::ext::Protocol` request extension). Check the answer with
    /// [`Connection::client_h2`](crate::Connection::client_h2).
    ///
    /// ```
    /// use wsflow_core::handshake::ClientRequest;
    ///
    /// let request = ClientRequest::new("wss://example.com/chat")?.subprotocol("chat");
    /// let connect = request.to_h2_request()?;
    /// assert_eq!(connect.method(), http::Method::CONNECT);
    /// assert_eq!(connect.uri(), "https://example.com/chat");
    /// assert_eq!(connect.headers()["sec-websocket-protocol"], "chat");
    /// # Ok::<(), wsflow_core::handshake::HandshakeError>(())
    /// ```
    pub fn to_h2_request(&self) -> Result<http::Request<()>, HandshakeError> {
        use crate::extension::format_extensions;

        self.validate()?;
        let authority = match self.headers.get(header::HOST) {
            Some(host) => host
                .to_str()
                .map_err(|_| HandshakeError::InvalidHeaderValue(header::HOST))?
                .to_owned(),
            None => self.host_header(),
        };
        let uri = Uri::builder()
            .scheme(if self.secure { "https" } else { "http" })
            .authority(authority)
            .path_and_query(self.path.as_str())
            .build()
            .map_err(|error| HandshakeError::InvalidUrl(error.to_string()))?;
        let mut request = http::Request::new(());
        *request.method_mut() = http::Method::CONNECT;
        *request.uri_mut() = uri;
        *request.version_mut() = http::Version::HTTP_2;
        let headers = request.headers_mut();
        headers.insert(
            header::SEC_WEBSOCKET_VERSION,
            HeaderValue::from_static("13"),
        );
        if !self.subprotocols.is_empty() {
            let list = HeaderValue::from_str(&self.subprotocols.join(", "))
                .map_err(|_| HandshakeError::InvalidSubprotocols)?;
            headers.insert(header::SEC_WEBSOCKET_PROTOCOL, list);
        }
        if !self.extensions.is_empty() {
            let list = format_extensions(&self.extensions);
            let list = HeaderValue::from_str(&list)
                .map_err(|_| HandshakeError::InvalidExtensionOffer(list.clone()))?;
            headers.insert(header::SEC_WEBSOCKET_EXTENSIONS, list);
        }
        for (name, value) in &self.headers {
            let http1_only = [
                header::HOST,
                header::TRANSFER_ENCODING,
                header::TE,
                HeaderName::from_static("keep-alive"),
                HeaderName::from_static("proxy-connection"),
            ];
            if !http1_only.contains(name) {
                headers.append(name.clone(), value.clone());
            }
        }
        Ok(request)
    }

    /// The request head, with `key` as the `Sec-WebSocket-Key` value.
    pub(crate) fn to_bytes(&self, key: &str) -> Vec<u8> {
        use super::headers::write_header;
        use crate::extension::format_extensions;

        let mut out = Vec::with_capacity(256);
        out.extend_from_slice(b"GET ");
        out.extend_from_slice(self.path.as_bytes());
        out.extend_from_slice(b" HTTP/1.1\r\n");
        if !self.headers.contains_key(header::HOST) {
            write_header(&mut out, b"Host", self.host_header().as_bytes());
        }
        write_header(&mut out, b"Upgrade", b"websocket");
        write_header(&mut out, b"Connection", b"Upgrade");
        write_header(&mut out, b"Sec-WebSocket-Key", key.as_bytes());
        write_header(&mut out, b"Sec-WebSocket-Version", b"13");
        if !self.subprotocols.is_empty() {
            let list = self.subprotocols.join(", ");
            write_header(&mut out, b"Sec-WebSocket-Protocol", list.as_bytes());
        }
        if !self.extensions.is_empty() {
            let list = format_extensions(&self.extensions);
            write_header(&mut out, b"Sec-WebSocket-Extensions", list.as_bytes());
        }
        for (name, value) in &self.headers {
            write_header(&mut out, name.as_str().as_bytes(), value.as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out
    }
}

/// The port written after the host, if any. `http::Uri` reports an out-of-range port such as
/// `:65536` as no port at all, which would quietly connect to the default one instead.
fn explicit_port(authority: &str) -> Option<Result<u16, ()>> {
    // An IPv6 literal's colons sit inside the brackets; the port comes after them.
    let after_host = authority
        .rsplit_once(']')
        .map_or(authority, |(_, rest)| rest);
    let (_, digits) = after_host.rsplit_once(':')?;
    if digits.is_empty() {
        // RFC 3986 §3.2.3: an empty port means the scheme's default.
        return None;
    }
    match digits.parse::<u16>() {
        Ok(port) if port != 0 && digits.bytes().all(|b| b.is_ascii_digit()) => Some(Ok(port)),
        _ => Some(Err(())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(url: &str) -> (String, u16, bool, String) {
        let r = ClientRequest::new(url).unwrap();
        (r.host().into(), r.port(), r.is_secure(), r.path().into())
    }

    #[test]
    fn urls() {
        let t = |h: &str, p, s, path: &str| (h.to_owned(), p, s, path.to_owned());
        assert_eq!(target("ws://example.com"), t("example.com", 80, false, "/"));
        assert_eq!(
            target("wss://example.com"),
            t("example.com", 443, true, "/")
        );
        assert_eq!(target("WS://a:8080/x?y=1"), t("a", 8080, false, "/x?y=1"));
        assert_eq!(target("ws://a?q"), t("a", 80, false, "/?q"));
        assert_eq!(target("wss://[::1]:9001/"), t("::1", 9001, true, "/"));
        assert_eq!(target("ws://[::1]/"), t("::1", 80, false, "/"));
        assert_eq!(target("ws://a:/"), t("a", 80, false, "/"));
        assert_eq!(target("ws://a:65535/"), t("a", 65535, false, "/"));
    }

    #[test]
    fn bad_urls() {
        for url in [
            "",
            "example.com",
            "ws://",
            "ws:///path",
            "ws://a b/",
            "ws://u:p@host/",
        ] {
            assert!(
                matches!(ClientRequest::new(url), Err(HandshakeError::InvalidUrl(_))),
                "{url}"
            );
        }
        assert!(matches!(
            ClientRequest::new("ws://host/#frag"),
            Err(HandshakeError::InvalidUrl(_))
        ));
        assert!(matches!(
            ClientRequest::new("http://host/"),
            Err(HandshakeError::UnsupportedScheme(s)) if s == "http"
        ));
    }

    #[test]
    fn host_header_has_port_only_when_not_default_and_brackets_for_ipv6() {
        let host = |url: &str| ClientRequest::new(url).unwrap().host_header();
        assert_eq!(host("ws://a:80/"), "a");
        assert_eq!(host("ws://a:443/"), "a:443");
        assert_eq!(host("wss://a:443/"), "a");
        assert_eq!(host("wss://[::1]/"), "[::1]");
        assert_eq!(host("ws://[::1]:81/"), "[::1]:81");
    }

    #[test]
    fn h2_request_is_an_extended_connect_with_the_same_offers() {
        let request = ClientRequest::new("ws://a:8080/x?y=1")
            .unwrap()
            .subprotocol("chat")
            .subprotocol("v2")
            .extension(ExtensionOffer::new("x-ext"))
            .header(header::ORIGIN, HeaderValue::from_static("http://o"))
            .header(
                HeaderName::from_static("keep-alive"),
                HeaderValue::from_static("5"),
            );
        let connect = request.to_h2_request().unwrap();
        assert_eq!(connect.method(), http::Method::CONNECT);
        assert_eq!(connect.version(), http::Version::HTTP_2);
        assert_eq!(connect.uri(), "http://a:8080/x?y=1");
        let headers = connect.headers();
        assert_eq!(headers["sec-websocket-version"], "13");
        assert_eq!(headers["sec-websocket-protocol"], "chat, v2");
        assert_eq!(headers["sec-websocket-extensions"], "x-ext");
        assert_eq!(headers["origin"], "http://o");
        for absent in [
            "sec-websocket-key",
            "upgrade",
            "connection",
            "host",
            "keep-alive",
        ] {
            assert!(!headers.contains_key(absent), "{absent}");
        }
        let with_host = ClientRequest::new("wss://a/")
            .unwrap()
            .header(header::HOST, HeaderValue::from_static("b.example"));
        assert_eq!(
            with_host.to_h2_request().unwrap().uri(),
            "https://b.example/"
        );
        let bad = ClientRequest::new("ws://a/").unwrap().subprotocol("a b");
        assert!(bad.to_h2_request().is_err());
    }

    #[test]
    fn invalid_builder_arguments_are_remembered() {
        let request = ClientRequest::new("ws://a/").unwrap();
        assert!(request.validate().is_ok());
        let bad = request.clone().subprotocol("chat").subprotocol("two words");
        assert!(matches!(
            bad.validate(),
            Err(HandshakeError::InvalidSubprotocolName(name)) if name == "two words"
        ));
        let bad = request
            .clone()
            .extension(ExtensionOffer::new("x").with_param("p", Some("a,b".into())));
        assert!(matches!(
            bad.validate(),
            Err(HandshakeError::InvalidExtensionOffer(_))
        ));
        let bad = request.clone().header(
            header::SEC_WEBSOCKET_KEY,
            HeaderValue::from_static("AAAAAAAAAAAAAAAAAAAAAA=="),
        );
        assert!(matches!(
            bad.validate(),
            Err(HandshakeError::ReservedHeader(_))
        ));
    }
}
