//! Header-field helpers shared by both roles: token lists, single-valued fields, and writing
//! header lines that cannot be used to inject extra lines.

use http::HeaderMap;
use http::header::{self, HeaderName};

use super::error::HandshakeError;
use crate::extension::{ExtensionHeaderError, ExtensionOffer, parse_extensions};

/// RFC 9110 §5.6.2 `token`.
pub(crate) fn is_token(value: &[u8]) -> bool {
    !value.is_empty()
        && value
            .iter()
            .all(|&byte| byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte))
}

/// The elements of a comma-separated list field, over every line of that field, with
/// surrounding whitespace removed and empty elements skipped (RFC 9110 §5.6.1).
pub(crate) fn list_items<'a>(
    headers: &'a HeaderMap,
    name: &HeaderName,
) -> impl Iterator<Item = &'a [u8]> {
    headers
        .get_all(name)
        .into_iter()
        .flat_map(|value| value.as_bytes().split(|&byte| byte == b','))
        .map(<[u8]>::trim_ascii)
        .filter(|item| !item.is_empty())
}

/// Whether a list field contains `token`, compared case-insensitively (Upgrade, Connection).
pub(crate) fn has_token(headers: &HeaderMap, name: &HeaderName, token: &str) -> bool {
    list_items(headers, name).any(|item| item.eq_ignore_ascii_case(token.as_bytes()))
}

/// The value of a field that must appear exactly once, trimmed; `None` if absent or repeated.
pub(crate) fn only_value<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Option<&'a [u8]> {
    let mut values = headers.get_all(name).into_iter();
    match (values.next(), values.next()) {
        (Some(value), None) => Some(value.as_bytes().trim_ascii()),
        _ => None,
    }
}

/// Every `Sec-WebSocket-Extensions` line, parsed and concatenated in order.
pub(crate) fn extensions(headers: &HeaderMap) -> Result<Vec<ExtensionOffer>, HandshakeError> {
    let mut offers = Vec::new();
    for value in &headers.get_all(header::SEC_WEBSOCKET_EXTENSIONS) {
        let text = std::str::from_utf8(value.as_bytes()).map_err(|error| {
            HandshakeError::InvalidExtensions(ExtensionHeaderError {
                position: error.valid_up_to(),
            })
        })?;
        offers.extend(parse_extensions(text).map_err(HandshakeError::InvalidExtensions)?);
    }
    Ok(offers)
}

/// Whether [`format_extensions`](crate::extension::format_extensions) renders this offer as a
/// valid header: it writes values bare, so every part must be a token.
pub(crate) fn is_sendable_offer(offer: &ExtensionOffer) -> bool {
    is_token(offer.name.as_bytes())
        && offer.params.iter().all(|(name, value)| {
            is_token(name.as_bytes()) && value.as_ref().is_none_or(|v| is_token(v.as_bytes()))
        })
}

/// Whether a value can be written without ending the header line early. `http`'s checked
/// constructors already guarantee this; the check guards values built with its unchecked
/// ones, which would otherwise let a caller's string inject header lines.
pub(crate) fn is_safe_value(value: &[u8]) -> bool {
    !value
        .iter()
        .any(|&byte| matches!(byte, b'\r' | b'\n' | b'\0'))
}

/// Appends `name: value\r\n`.
pub(crate) fn write_header(out: &mut Vec<u8>, name: &[u8], value: &[u8]) {
    out.extend_from_slice(name);
    out.extend_from_slice(b": ");
    out.extend_from_slice(value);
    out.extend_from_slice(b"\r\n");
}

/// Headers the handshake writes itself, which extra headers may not duplicate.
pub(crate) fn is_handshake_header(name: &HeaderName) -> bool {
    [
        header::UPGRADE,
        header::CONNECTION,
        header::SEC_WEBSOCKET_KEY,
        header::SEC_WEBSOCKET_ACCEPT,
        header::SEC_WEBSOCKET_VERSION,
        header::SEC_WEBSOCKET_PROTOCOL,
        header::SEC_WEBSOCKET_EXTENSIONS,
    ]
    .contains(name)
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    #[test]
    fn lists_span_repeated_lines_and_ignore_case_and_blanks() {
        let mut headers = HeaderMap::new();
        headers.append(
            header::CONNECTION,
            HeaderValue::from_static("keep-alive, ,"),
        );
        headers.append(header::CONNECTION, HeaderValue::from_static(" UpGrade "));
        assert!(has_token(&headers, &header::CONNECTION, "upgrade"));
        assert!(!has_token(&headers, &header::CONNECTION, "close"));
        assert_eq!(list_items(&headers, &header::CONNECTION).count(), 2);
        // A token must match whole, not as a substring.
        headers.insert(header::UPGRADE, HeaderValue::from_static("websockets"));
        assert!(!has_token(&headers, &header::UPGRADE, "websocket"));
    }

    #[test]
    fn single_valued_fields() {
        let mut headers = HeaderMap::new();
        assert_eq!(only_value(&headers, &header::SEC_WEBSOCKET_KEY), None);
        headers.append(header::SEC_WEBSOCKET_KEY, HeaderValue::from_static("a "));
        assert_eq!(
            only_value(&headers, &header::SEC_WEBSOCKET_KEY),
            Some(&b"a"[..])
        );
        headers.append(header::SEC_WEBSOCKET_KEY, HeaderValue::from_static("b"));
        assert_eq!(only_value(&headers, &header::SEC_WEBSOCKET_KEY), None);
    }

    #[test]
    fn extension_lines_concatenate_and_errors_are_typed() {
        let mut headers = HeaderMap::new();
        headers.append(
            header::SEC_WEBSOCKET_EXTENSIONS,
            HeaderValue::from_static("a; x=1"),
        );
        headers.append(
            header::SEC_WEBSOCKET_EXTENSIONS,
            HeaderValue::from_static("b, c"),
        );
        let names: Vec<_> = extensions(&headers)
            .unwrap()
            .into_iter()
            .map(|o| o.name)
            .collect();
        assert_eq!(names, ["a", "b", "c"]);
        headers.append(
            header::SEC_WEBSOCKET_EXTENSIONS,
            HeaderValue::from_static("d; =2"),
        );
        assert!(matches!(
            extensions(&headers),
            Err(HandshakeError::InvalidExtensions(_))
        ));
        let mut headers = HeaderMap::new();
        let latin1 = HeaderValue::from_bytes(b"ab\xe9").unwrap();
        headers.append(header::SEC_WEBSOCKET_EXTENSIONS, latin1);
        assert!(matches!(
            extensions(&headers),
            Err(HandshakeError::InvalidExtensions(ExtensionHeaderError {
                position: 2
            }))
        ));
    }

    #[test]
    fn sendable_offers_are_all_tokens() {
        assert!(is_sendable_offer(
            &ExtensionOffer::new("permessage-deflate").with_param("client_max_window_bits", None)
        ));
        assert!(!is_sendable_offer(&ExtensionOffer::new("a b")));
        assert!(!is_sendable_offer(
            &ExtensionOffer::new("x").with_param("y", Some("1\r\nEvil: 1".into()))
        ));
    }
}
