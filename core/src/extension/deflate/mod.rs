//! permessage-deflate (RFC 7692): negotiation and the [`PerMessageDeflate`] codec.
//!
//! A client builds its `Sec-WebSocket-Extensions` offers with [`DeflateConfig::client_offers`]
//! and checks the server's answer with [`DeflateConfig::client_accept`]; a server picks an
//! offer with [`DeflateConfig::server_negotiate`]. Both return a [`PerMessageDeflate`], the
//! [`Extension`](crate::extension::Extension) the connection runs messages through.
//!
//! ```
//! use wsflow_core::extension::deflate::DeflateConfig;
//! use wsflow_core::extension::{format_extensions, parse_extensions};
//!
//! let config = DeflateConfig::default();
//! let request = format_extensions(&config.client_offers());
//! assert_eq!(request, "permessage-deflate; client_max_window_bits");
//!
//! // The server side of the handshake.
//! let (response, _server_codec) =
//!     config.server_negotiate(&parse_extensions(&request).unwrap()).unwrap();
//!
//! // Back on the client.
//! let client_codec = config.client_accept(&[response]).unwrap();
//! assert!(client_codec.is_some());
//! ```
//!
//! Backend: flate2 over zlib-rs, the only flate2 backend that is pure Rust *and* supports
//! window sizes below 32 KiB (`miniz_oxide` cannot), which `*_max_window_bits` needs.
//!
//! # Memory
//!
//! zlib state is created on the first compressed message in each direction and, for a
//! direction without context takeover, dropped again after every message. While held, a
//! compressor costs about 371 KiB with a 15-bit window and 245 KiB with a 9-bit one (most of
//! it a hash table and symbol buffer whose size no window parameter changes), and a
//! decompressor about 46 KiB whatever the window. `server_no_context_takeover` and
//! `client_no_context_takeover` are therefore what makes idle connections cheap; the window
//! parameters save comparatively little.
//!
//! # Received data
//!
//! Decoding never grows the output past the limit the connection passes in, so a
//! decompression bomb costs at most that limit in memory before it fails with
//! [`ProtocolError::MessageTooLarge`](crate::ProtocolError::MessageTooLarge). Corrupt
//! compressed data fails with [`ProtocolError::Extension`](crate::ProtocolError::Extension).
//! The decoder does not police the peer's window size: zlib-rs allocates the same inflate
//! state for every window and, in our tests, decoded references further back than a 9-bit
//! window, so a peer that exceeds the window it agreed to is decoded rather than refused.

mod codec;
mod params;

use std::fmt;

use crate::extension::ExtensionOffer;
use crate::role::Role;

pub use codec::PerMessageDeflate;
use params::{ClientWindow, MAX_WINDOW_BITS, MIN_HEADER_WINDOW_BITS, NAME, Params, Side};

/// Settings for permessage-deflate, used by both roles.
///
/// The four RFC 7692 parameters mean “what this endpoint asks for” (client) or “what this
/// endpoint requires or allows” (server); see each field. Window sizes are clamped to 8..=15,
/// the range RFC 7692 allows.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeflateConfig {
    /// Client: ask the server to reset its compressor after every message, which lets us drop
    /// our decompressor between messages. Server: always reset our compressor after every
    /// message (dropping its state, see the module docs on memory), and tell the client so.
    pub server_no_context_takeover: bool,
    /// Client: reset (drop) our compressor after every message, and tell the server so.
    /// Server: ask the client to reset its compressor after every message, which lets us drop
    /// our decompressor between messages.
    pub client_no_context_takeover: bool,
    /// Client: ask the server to compress with at most this window (`None`: no limit). Server:
    /// compress with at most this window, and tell the client so.
    pub server_max_window_bits: Option<u8>,
    /// Client: promise to compress with at most this window (`None`: use 15 unless the server
    /// asks for less). Server: ask the client to compress with at most this window; a client
    /// that does not offer `client_max_window_bits` cannot be asked and keeps using 15.
    pub client_max_window_bits: Option<u8>,
    /// zlib compression level, 0..=9 (larger values are clamped to 9). Default 6, zlib's own
    /// default: levels above it cost much more CPU for a few percent, and chat-like traffic
    /// gains most of its ratio from context takeover, not from the level.
    pub compression_level: u32,
    /// Messages sent whole that are shorter than this many bytes go out uncompressed (no
    /// RSV1). Default 64: below that, deflate's block overhead often outweighs the gain and
    /// the CPU is better spent elsewhere. Fragmented messages are always compressed, since
    /// their size is not known when the first frame is sent.
    pub threshold: usize,
    /// Client only: when the first offer asks the server for something
    /// (`server_no_context_takeover` or `server_max_window_bits`), follow it with the same
    /// offer minus those requests, so a server that will not honour them still compresses
    /// instead of declining. Default true.
    pub fallback_offer: bool,
}

impl Default for DeflateConfig {
    fn default() -> Self {
        DeflateConfig {
            server_no_context_takeover: false,
            client_no_context_takeover: false,
            server_max_window_bits: None,
            client_max_window_bits: None,
            compression_level: 6,
            threshold: 64,
            fallback_offer: true,
        }
    }
}

/// The parameters both sides agreed on, with defaults filled in.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeflateParams {
    /// The server resets its compressor after each message.
    pub server_no_context_takeover: bool,
    /// The client resets its compressor after each message.
    pub client_no_context_takeover: bool,
    /// The largest window the server compresses with, 8..=15.
    pub server_max_window_bits: u8,
    /// The largest window the client compresses with, 8..=15.
    pub client_max_window_bits: u8,
}

impl Default for DeflateParams {
    /// RFC 7692's defaults: context takeover both ways and 32 KiB windows.
    fn default() -> Self {
        DeflateParams {
            server_no_context_takeover: false,
            client_no_context_takeover: false,
            server_max_window_bits: MAX_WINDOW_BITS,
            client_max_window_bits: MAX_WINDOW_BITS,
        }
    }
}

impl DeflateParams {
    fn from_response(response: Params) -> DeflateParams {
        DeflateParams {
            server_no_context_takeover: response.server_no_context_takeover,
            client_no_context_takeover: response.client_no_context_takeover,
            server_max_window_bits: response.server_max_window_bits.unwrap_or(MAX_WINDOW_BITS),
            client_max_window_bits: response
                .client_max_window_bits
                .and_then(ClientWindow::bits)
                .unwrap_or(MAX_WINDOW_BITS),
        }
    }
}

/// Why a client rejects a server's permessage-deflate response. The handshake must fail
/// (RFC 7692 §5: a client that cannot accept the response fails the connection).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeflateNegotiationError {
    /// The response names permessage-deflate more than once.
    MultipleResponses,
    /// A parameter RFC 7692 does not define (names are case-sensitive).
    UnknownParameter(String),
    /// A parameter given twice.
    DuplicateParameter(String),
    /// A value on a parameter that takes none (`*_no_context_takeover`).
    UnexpectedValue(String),
    /// A window-bits parameter without the value it needs here.
    MissingValue(String),
    /// A window-bits value that is not a plain decimal in 8..=15.
    InvalidValue {
        /// The parameter.
        param: String,
        /// The value as received.
        value: String,
    },
    /// We asked for `server_no_context_takeover` and the server did not agree to it.
    ServerNoContextTakeoverMissing,
    /// We asked for `server_max_window_bits` and the server did not answer with it.
    ServerWindowMissing {
        /// What we asked for.
        asked: u8,
    },
    /// The server will use a larger window than we allowed.
    ServerWindowTooLarge {
        /// What we asked for.
        asked: u8,
        /// What the server answered.
        got: u8,
    },
    /// `client_max_window_bits` in a response to an offer without it.
    ClientWindowNotOffered,
    /// The server asked for a larger client window than we offered.
    ClientWindowTooLarge {
        /// What we offered.
        offered: u8,
        /// What the server answered.
        got: u8,
    },
}

impl fmt::Display for DeflateNegotiationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("permessage-deflate: ")?;
        match self {
            Self::MultipleResponses => f.write_str("accepted more than once in the response"),
            Self::UnknownParameter(name) => write!(f, "unknown parameter {name:?}"),
            Self::DuplicateParameter(name) => write!(f, "parameter {name} given twice"),
            Self::UnexpectedValue(name) => write!(f, "parameter {name} takes no value"),
            Self::MissingValue(name) => write!(f, "parameter {name} needs a value"),
            Self::InvalidValue { param, value } => {
                write!(f, "{param}={value:?} is not a window size in 8..=15")
            }
            Self::ServerNoContextTakeoverMissing => {
                f.write_str("server did not agree to server_no_context_takeover")
            }
            Self::ServerWindowMissing { asked } => {
                write!(f, "server did not agree to server_max_window_bits={asked}")
            }
            Self::ServerWindowTooLarge { asked, got } => {
                write!(
                    f,
                    "server_max_window_bits={got} exceeds the {asked} we asked for"
                )
            }
            Self::ClientWindowNotOffered => {
                f.write_str("client_max_window_bits in the response but not in our offer")
            }
            Self::ClientWindowTooLarge { offered, got } => {
                write!(
                    f,
                    "client_max_window_bits={got} exceeds the {offered} we offered"
                )
            }
        }
    }
}

impl std::error::Error for DeflateNegotiationError {}

/// Clamps a configured window size to what a header may carry.
fn clamp_window(bits: u8) -> u8 {
    bits.clamp(MIN_HEADER_WINDOW_BITS, MAX_WINDOW_BITS)
}

impl DeflateConfig {
    /// The compression level as zlib takes it.
    fn level(&self) -> u32 {
        self.compression_level.min(9)
    }

    /// The offers a client sends, most wanted first: one with every configured parameter and,
    /// with [`Self::fallback_offer`], a plain one the server can always accept. Every offer
    /// carries `client_max_window_bits` so that a server may pick a smaller client window.
    pub fn client_offers(&self) -> Vec<ExtensionOffer> {
        self.client_offer_params()
            .into_iter()
            .map(Params::to_element)
            .collect()
    }

    fn client_offer_params(&self) -> Vec<Params> {
        let client_side = Params {
            client_no_context_takeover: self.client_no_context_takeover,
            client_max_window_bits: Some(
                self.client_max_window_bits
                    .map_or(ClientWindow::Unspecified, |bits| {
                        ClientWindow::Bits(clamp_window(bits))
                    }),
            ),
            ..Params::default()
        };
        let full = Params {
            server_no_context_takeover: self.server_no_context_takeover,
            server_max_window_bits: self.server_max_window_bits.map(clamp_window),
            ..client_side
        };
        if self.fallback_offer && full != client_side {
            vec![full, client_side]
        } else {
            vec![full]
        }
    }

    /// Checks a server's response (all of its `Sec-WebSocket-Extensions` elements) against the
    /// offers from [`Self::client_offers`].
    ///
    /// `Ok(None)`: the server declined permessage-deflate. Elements naming other extensions
    /// are ignored here; rejecting extensions the client never offered is the handshake's job.
    /// The response is accepted if it answers any of our offers; otherwise the error says why
    /// it does not answer the first one.
    pub fn client_accept(
        &self,
        response: &[ExtensionOffer],
    ) -> Result<Option<PerMessageDeflate>, DeflateNegotiationError> {
        let mut elements = response.iter().filter(|element| element.name == NAME);
        let Some(element) = elements.next() else {
            return Ok(None);
        };
        if elements.next().is_some() {
            return Err(DeflateNegotiationError::MultipleResponses);
        }
        let answer = Params::parse(element, Side::Response)?;
        let mut first_error = None;
        for offer in self.client_offer_params() {
            match answers(offer, answer) {
                Ok(()) => {
                    let params = DeflateParams::from_response(answer);
                    return Ok(Some(PerMessageDeflate::new(Role::Client, params, self)));
                }
                Err(error) => {
                    first_error.get_or_insert(error);
                }
            }
        }
        Err(first_error.unwrap_or(DeflateNegotiationError::MultipleResponses))
    }

    /// Picks the first acceptable permessage-deflate offer from a client's
    /// `Sec-WebSocket-Extensions` elements; returns the element to put in the response and
    /// the codec. Malformed offers (unknown or repeated parameters, bad values) are declined
    /// (skipped), never an error: declining is always a valid answer (RFC 7692 §5). Every
    /// well-formed offer can be honoured, 8-bit windows included (see [`PerMessageDeflate`]),
    /// so the first well-formed one wins.
    pub fn server_negotiate(
        &self,
        offers: &[ExtensionOffer],
    ) -> Option<(ExtensionOffer, PerMessageDeflate)> {
        offers
            .iter()
            .filter(|offer| offer.name == NAME)
            .find_map(|offer| Params::parse(offer, Side::Offer).ok())
            .map(|offer| {
                let answer = self.server_answer(offer);
                let params = DeflateParams::from_response(answer);
                let codec = PerMessageDeflate::new(Role::Server, params, self);
                (answer.to_element(), codec)
            })
    }

    /// Our response to one well-formed offer.
    fn server_answer(&self, offer: Params) -> Params {
        let own_limit = self.server_max_window_bits.map(clamp_window);
        let server_window = match (offer.server_max_window_bits, own_limit) {
            (Some(asked), Some(own)) => Some(asked.min(own)),
            (asked, own) => asked.or(own),
        };
        // We may only name client_max_window_bits if the client offered it (§7.1.2.2), and
        // then at most the value it offered.
        let client_window = offer.client_max_window_bits.and_then(|offered| {
            match (
                offered.bits(),
                self.client_max_window_bits.map(clamp_window),
            ) {
                (Some(offered), Some(wanted)) => Some(offered.min(wanted)),
                (offered, wanted) => offered.or(wanted),
            }
            .map(ClientWindow::Bits)
        });
        Params {
            server_no_context_takeover: offer.server_no_context_takeover
                || self.server_no_context_takeover,
            // The client's flag is a hint that it will reset anyway; echoing it costs nothing.
            client_no_context_takeover: offer.client_no_context_takeover
                || self.client_no_context_takeover,
            server_max_window_bits: server_window,
            client_max_window_bits: client_window,
        }
    }
}

/// Whether a server's `answer` accepts our `offer` (RFC 7692 §7.1).
fn answers(offer: Params, answer: Params) -> Result<(), DeflateNegotiationError> {
    if offer.server_no_context_takeover && !answer.server_no_context_takeover {
        return Err(DeflateNegotiationError::ServerNoContextTakeoverMissing);
    }
    match (offer.server_max_window_bits, answer.server_max_window_bits) {
        (Some(asked), None) => return Err(DeflateNegotiationError::ServerWindowMissing { asked }),
        (Some(asked), Some(got)) if got > asked => {
            return Err(DeflateNegotiationError::ServerWindowTooLarge { asked, got });
        }
        _ => {}
    }
    let answered = answer.client_max_window_bits.and_then(ClientWindow::bits);
    match (offer.client_max_window_bits, answered) {
        (None, Some(_)) => Err(DeflateNegotiationError::ClientWindowNotOffered),
        (Some(ClientWindow::Bits(offered)), Some(got)) if got > offered => {
            Err(DeflateNegotiationError::ClientWindowTooLarge { offered, got })
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests;
