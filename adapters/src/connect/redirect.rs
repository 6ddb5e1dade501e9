//! Following a handshake redirect: where to go next, and whether it leaves the origin.

use http::{HeaderMap, Response, StatusCode, header};
use wsflow_core::handshake::{ClientRequest, HandshakeError};

use crate::error::Error;

/// Whether `status` is a redirect the connect follows.
pub(super) fn is_redirect(status: StatusCode) -> bool {
    matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308)
}

/// The next URL of a redirect.
pub(super) struct Next {
    pub(super) url: String,
    /// Scheme, host or port differ from the request's.
    pub(super) cross_origin: bool,
}

/// The URL a redirect `response` to `request` points at: an absolute `ws`/`wss`/`http`/
/// `https` URL (`http` becomes `ws`), or a path on the same origin.
pub(super) fn follow(
    request: &ClientRequest,
    response: &Response<bytes::Bytes>,
) -> Result<Next, Error> {
    let invalid =
        |why: &str| Error::Handshake(HandshakeError::InvalidUrl(format!("redirect: {why}")));
    let location = response
        .headers()
        .get(header::LOCATION)
        .and_then(|value| value.to_str().ok())
        .ok_or_else(|| invalid("no valid Location header"))?;
    let scheme = if request.is_secure() { "wss" } else { "ws" };
    let url = if location.starts_with('/') && !location.starts_with("//") {
        let authority = super::authority(request.host(), request.port());
        format!("{scheme}://{authority}{location}")
    } else if let Some(rest) = location.strip_prefix("//") {
        format!("{scheme}://{rest}")
    } else if let Some(rest) = strip_scheme(location, "https") {
        format!("wss://{rest}")
    } else if let Some(rest) = strip_scheme(location, "http") {
        format!("ws://{rest}")
    } else {
        location.to_owned()
    };
    let next = ClientRequest::new(&url)?;
    let cross_origin = next.is_secure() != request.is_secure()
        || !next.host().eq_ignore_ascii_case(request.host())
        || next.port() != request.port();
    Ok(Next { url, cross_origin })
}

/// `url` after `scheme://`, ignoring case.
fn strip_scheme<'a>(url: &'a str, scheme: &str) -> Option<&'a str> {
    let (head, rest) = url.split_once("://")?;
    head.eq_ignore_ascii_case(scheme).then_some(rest)
}

/// Removes the headers that must not follow a request to another origin.
pub(super) fn drop_credentials(headers: &mut HeaderMap) {
    headers.remove(header::AUTHORIZATION);
    headers.remove(header::COOKIE);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redirect(location: &str) -> Response<bytes::Bytes> {
        Response::builder()
            .status(302)
            .header(header::LOCATION, location)
            .body(bytes::Bytes::new())
            .unwrap()
    }

    #[test]
    fn relative_and_absolute_locations() {
        let request = ClientRequest::new("wss://a.test:8443/x").unwrap();
        let next = follow(&request, &redirect("/y?z=1")).unwrap();
        assert_eq!(next.url, "wss://a.test:8443/y?z=1");
        assert!(!next.cross_origin);
        let next = follow(&request, &redirect("https://b.test/")).unwrap();
        assert_eq!(next.url, "wss://b.test/");
        assert!(next.cross_origin);
        let next = follow(&request, &redirect("http://a.test:8443/")).unwrap();
        assert!(next.cross_origin, "wss to ws changes the origin");
        assert!(follow(&request, &redirect("ftp://a.test/")).is_err());
    }

    #[test]
    fn only_redirect_statuses() {
        for code in [301, 302, 303, 307, 308] {
            assert!(is_redirect(StatusCode::from_u16(code).unwrap()));
        }
        assert!(!is_redirect(StatusCode::NOT_MODIFIED));
        assert!(!is_redirect(StatusCode::OK));
    }
}
