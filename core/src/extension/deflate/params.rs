//! The four permessage-deflate parameters (RFC 7692 §7.1) as written in one element of a
//! `Sec-WebSocket-Extensions` header, parsed strictly.
//!
//! Offers and responses share one grammar but differ in one place: a client may send
//! `client_max_window_bits` without a value (“I can limit my window if you ask”), while a
//! server's response must give the value (§7.1.2.2).

use super::DeflateNegotiationError;
use crate::extension::ExtensionOffer;

/// The registered extension name (RFC 7692 §7).
pub(super) const NAME: &str = "permessage-deflate";
pub(super) const SERVER_NO_CONTEXT_TAKEOVER: &str = "server_no_context_takeover";
pub(super) const CLIENT_NO_CONTEXT_TAKEOVER: &str = "client_no_context_takeover";
pub(super) const SERVER_MAX_WINDOW_BITS: &str = "server_max_window_bits";
pub(super) const CLIENT_MAX_WINDOW_BITS: &str = "client_max_window_bits";

/// The smallest window RFC 7692 allows in a header (§7.1.2.1).
pub(super) const MIN_HEADER_WINDOW_BITS: u8 = 8;
/// The smallest window flate2 accepts for either direction (zlib rejects 8 for raw deflate
/// since 1.2.9, and zlib-rs follows it); see `PerMessageDeflate` for how 8 is still honoured.
pub(super) const MIN_ZLIB_WINDOW_BITS: u8 = 9;
/// The largest (and default) LZ77 window: 32 KiB.
pub(super) const MAX_WINDOW_BITS: u8 = 15;

/// Which side wrote the header element; decides whether `client_max_window_bits` needs a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Side {
    /// A client's offer (request header).
    Offer,
    /// A server's response.
    Response,
}

/// `client_max_window_bits` as written, when present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ClientWindow {
    /// Present without a value, which only an offer may do: the client can limit its window.
    Unspecified,
    /// Present with a value.
    Bits(u8),
}

impl ClientWindow {
    pub(super) fn bits(self) -> Option<u8> {
        match self {
            ClientWindow::Unspecified => None,
            ClientWindow::Bits(bits) => Some(bits),
        }
    }
}

/// One header element's parameters, as written: `None` means absent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Params {
    pub(super) server_no_context_takeover: bool,
    pub(super) client_no_context_takeover: bool,
    pub(super) server_max_window_bits: Option<u8>,
    pub(super) client_max_window_bits: Option<ClientWindow>,
}

impl Params {
    /// Parses one `permessage-deflate` element. Unknown or repeated parameters, values on
    /// flag parameters, missing values and values outside 8..=15 are all errors, because
    /// RFC 7692 §7.1 tells both sides to reject (decline, or fail) such elements rather than
    /// guess.
    pub(super) fn parse(
        element: &ExtensionOffer,
        side: Side,
    ) -> Result<Params, DeflateNegotiationError> {
        let mut params = Params::default();
        let mut seen = [false; 4];
        for (name, value) in &element.params {
            let index = match name.as_str() {
                SERVER_NO_CONTEXT_TAKEOVER => 0,
                CLIENT_NO_CONTEXT_TAKEOVER => 1,
                SERVER_MAX_WINDOW_BITS => 2,
                CLIENT_MAX_WINDOW_BITS => 3,
                _ => return Err(DeflateNegotiationError::UnknownParameter(name.clone())),
            };
            if let Some(seen) = seen.get_mut(index) {
                if *seen {
                    return Err(DeflateNegotiationError::DuplicateParameter(name.clone()));
                }
                *seen = true;
            }
            match index {
                0 | 1 => {
                    if value.is_some() {
                        return Err(DeflateNegotiationError::UnexpectedValue(name.clone()));
                    }
                    if index == 0 {
                        params.server_no_context_takeover = true;
                    } else {
                        params.client_no_context_takeover = true;
                    }
                }
                2 => params.server_max_window_bits = Some(window_bits(name, value.as_deref())?),
                _ => {
                    params.client_max_window_bits = match (value.as_deref(), side) {
                        (None, Side::Offer) => Some(ClientWindow::Unspecified),
                        (value, _) => Some(ClientWindow::Bits(window_bits(name, value)?)),
                    };
                }
            }
        }
        Ok(params)
    }

    /// Writes these parameters as a header element, in a fixed order.
    pub(super) fn to_element(self) -> ExtensionOffer {
        let mut element = ExtensionOffer::new(NAME);
        if self.server_no_context_takeover {
            element = element.with_param(SERVER_NO_CONTEXT_TAKEOVER, None);
        }
        if self.client_no_context_takeover {
            element = element.with_param(CLIENT_NO_CONTEXT_TAKEOVER, None);
        }
        if let Some(bits) = self.server_max_window_bits {
            element = element.with_param(SERVER_MAX_WINDOW_BITS, Some(bits.to_string()));
        }
        if let Some(bits) = self.client_max_window_bits {
            element =
                element.with_param(CLIENT_MAX_WINDOW_BITS, bits.bits().map(|b| b.to_string()));
        }
        element
    }
}

/// Parses a window-bits value: “a decimal integer value without leading zeroes between 8 to
/// 15, inclusive” (RFC 7692 §7.1.2.1), so `08`, `+9` and `9.0` are all rejected.
fn window_bits(name: &str, value: Option<&str>) -> Result<u8, DeflateNegotiationError> {
    let value = value.ok_or_else(|| DeflateNegotiationError::MissingValue(name.to_owned()))?;
    let invalid = || DeflateNegotiationError::InvalidValue {
        param: name.to_owned(),
        value: value.to_owned(),
    };
    if value.starts_with('0') || !value.bytes().all(|b| b.is_ascii_digit()) || value.len() > 2 {
        return Err(invalid());
    }
    match value.parse::<u8>() {
        Ok(bits) if (MIN_HEADER_WINDOW_BITS..=MAX_WINDOW_BITS).contains(&bits) => Ok(bits),
        _ => Err(invalid()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extension::parse_extensions;

    fn parse(header: &str, side: Side) -> Result<Params, DeflateNegotiationError> {
        let elements = parse_extensions(header).unwrap();
        Params::parse(&elements[0], side)
    }

    #[test]
    fn parses_every_parameter() {
        let params = parse(
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover; \
             server_max_window_bits=10; client_max_window_bits",
            Side::Offer,
        )
        .unwrap();
        assert_eq!(
            params,
            Params {
                server_no_context_takeover: true,
                client_no_context_takeover: true,
                server_max_window_bits: Some(10),
                client_max_window_bits: Some(ClientWindow::Unspecified),
            }
        );
        let quoted = parse(
            "permessage-deflate; client_max_window_bits=\"12\"",
            Side::Response,
        );
        assert_eq!(
            quoted.unwrap().client_max_window_bits,
            Some(ClientWindow::Bits(12))
        );
    }

    #[test]
    fn window_bits_values_are_strict() {
        for good in ["8", "9", "15"] {
            let header = format!("permessage-deflate; server_max_window_bits={good}");
            assert!(parse(&header, Side::Offer).is_ok(), "{good}");
        }
        for bad in ["7", "16", "08", "0", "+9", "9.0", "abc", "255", "1000"] {
            let header = format!("permessage-deflate; server_max_window_bits=\"{bad}\"");
            assert!(
                matches!(
                    parse(&header, Side::Offer),
                    Err(DeflateNegotiationError::InvalidValue { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn rejects_malformed_elements() {
        let cases = [
            ("permessage-deflate; foo", Side::Offer),
            (
                "permessage-deflate; Server_No_Context_Takeover",
                Side::Offer,
            ),
            (
                "permessage-deflate; server_no_context_takeover=1",
                Side::Offer,
            ),
            (
                "permessage-deflate; client_no_context_takeover; client_no_context_takeover",
                Side::Offer,
            ),
            ("permessage-deflate; server_max_window_bits", Side::Offer),
            ("permessage-deflate; client_max_window_bits", Side::Response),
            (
                "permessage-deflate; client_max_window_bits=9; client_max_window_bits=9",
                Side::Offer,
            ),
        ];
        for (header, side) in cases {
            assert!(parse(header, side).is_err(), "{header}");
        }
    }

    #[test]
    fn writes_back_what_it_parsed() {
        let header = "permessage-deflate; server_no_context_takeover; client_no_context_takeover; \
                      server_max_window_bits=9; client_max_window_bits";
        let params = parse(header, Side::Offer).unwrap();
        let element = params.to_element();
        assert_eq!(Params::parse(&element, Side::Offer).unwrap(), params);
        assert_eq!(element.to_string(), header);
    }
}
