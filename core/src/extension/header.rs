//! The `Sec-WebSocket-Extensions` header (RFC 6455 §9.1):
//! `extension-list = 1#( token *( ";" token [ "=" ( token | quoted-string ) ] ) )`.

use std::fmt;

/// One element of a `Sec-WebSocket-Extensions` header: a name and its parameters, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtensionOffer {
    /// The extension name, e.g. `permessage-deflate`.
    pub name: String,
    /// Parameters in header order; a parameter without `=value` has `None`. Quoted values are
    /// unquoted.
    pub params: Vec<(String, Option<String>)>,
}

impl ExtensionOffer {
    /// An extension with no parameters.
    pub fn new(name: impl Into<String>) -> Self {
        ExtensionOffer {
            name: name.into(),
            params: Vec::new(),
        }
    }

    /// Adds a parameter.
    pub fn with_param(mut self, name: impl Into<String>, value: Option<String>) -> Self {
        self.params.push((name.into(), value));
        self
    }
}

impl fmt::Display for ExtensionOffer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        for (name, value) in &self.params {
            match value {
                Some(value) => write!(f, "; {name}={value}")?,
                None => write!(f, "; {name}")?,
            }
        }
        Ok(())
    }
}

/// A malformed `Sec-WebSocket-Extensions` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtensionHeaderError {
    /// Byte offset in the header value where parsing failed.
    pub position: usize,
}

impl fmt::Display for ExtensionHeaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "malformed Sec-WebSocket-Extensions header at byte {}",
            self.position
        )
    }
}

impl std::error::Error for ExtensionHeaderError {}

/// Formats offers as one header value, comma separated.
pub fn format_extensions(offers: &[ExtensionOffer]) -> String {
    offers
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn is_tchar(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    fn error(&self) -> ExtensionHeaderError {
        ExtensionHeaderError { position: self.pos }
    }

    fn token(&mut self) -> Result<String, ExtensionHeaderError> {
        let start = self.pos;
        while self.peek().is_some_and(is_tchar) {
            self.pos += 1;
        }
        match self.bytes.get(start..self.pos) {
            Some(token) if !token.is_empty() => Ok(String::from_utf8_lossy(token).into_owned()),
            _ => Err(self.error()),
        }
    }

    /// A quoted parameter value, unescaped. RFC 6455 §9.1: "the value after quoted-string
    /// unescaping MUST conform to the 'token' ABNF", so anything else is malformed (as
    /// Python's websockets also judges); accepting it let a value through that the header's
    /// formatter writes unquoted and that then no longer parses (found by fuzzing).
    fn quoted_string(&mut self) -> Result<String, ExtensionHeaderError> {
        // Opening quote already checked by the caller.
        let opening = self.pos;
        self.pos += 1;
        let mut value = Vec::new();
        loop {
            match self.peek() {
                Some(b'"') => {
                    if value.is_empty() || !value.iter().copied().all(is_tchar) {
                        return Err(ExtensionHeaderError { position: opening });
                    }
                    self.pos += 1;
                    return String::from_utf8(value).map_err(|_| self.error());
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let escaped = self.peek().ok_or_else(|| self.error())?;
                    value.push(escaped);
                    self.pos += 1;
                }
                Some(byte) if byte != b'\r' && byte != b'\n' => {
                    value.push(byte);
                    self.pos += 1;
                }
                _ => return Err(self.error()),
            }
        }
    }
}

/// Parses a `Sec-WebSocket-Extensions` header value into its offers, in order.
///
/// Empty list elements (`a, , b`) are skipped, as RFC 7230 §7 asks of recipients.
///
/// ```
/// use wsflow_core::extension::parse_extensions;
///
/// let offers = parse_extensions(
///     "permessage-deflate; client_max_window_bits, permessage-deflate; server_max_window_bits=\"10\"",
/// ).unwrap();
/// assert_eq!(offers.len(), 2);
/// assert_eq!(offers[1].params[0], ("server_max_window_bits".into(), Some("10".into())));
/// ```
pub fn parse_extensions(value: &str) -> Result<Vec<ExtensionOffer>, ExtensionHeaderError> {
    let mut cursor = Cursor {
        bytes: value.as_bytes(),
        pos: 0,
    };
    let mut offers = Vec::new();
    loop {
        cursor.skip_whitespace();
        match cursor.peek() {
            None => return Ok(offers),
            Some(b',') => {
                cursor.pos += 1;
                continue;
            }
            Some(_) => {}
        }
        let mut offer = ExtensionOffer::new(cursor.token()?);
        loop {
            cursor.skip_whitespace();
            match cursor.peek() {
                None => break,
                Some(b',') => {
                    cursor.pos += 1;
                    break;
                }
                Some(b';') => {
                    cursor.pos += 1;
                    cursor.skip_whitespace();
                    let name = cursor.token()?;
                    cursor.skip_whitespace();
                    let value = if cursor.peek() == Some(b'=') {
                        cursor.pos += 1;
                        cursor.skip_whitespace();
                        Some(if cursor.peek() == Some(b'"') {
                            cursor.quoted_string()?
                        } else {
                            cursor.token()?
                        })
                    } else {
                        None
                    };
                    offer.params.push((name, value));
                }
                Some(_) => return Err(cursor.error()),
            }
        }
        offers.push(offer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_values_must_be_tokens() {
        // RFC 6455 §9.1; the fuzzer's input had a comma, `|`, a `;` and control bytes inside.
        for bad in [
            "x; a=\"7, b\"",
            "x; a=\"\"",
            "x; a=\"1 2\"",
            "x; a=\"a;b\"",
            "x; a=\"\u{11}\"",
            "x; a=\"\\\"\"",
        ] {
            assert_eq!(
                parse_extensions(bad),
                Err(ExtensionHeaderError { position: 5 }),
                "{bad}"
            );
        }
        let escaped = parse_extensions("x; a=\"1\\0\"").unwrap();
        assert_eq!(escaped[0].params[0].1.as_deref(), Some("10"));
    }

    #[test]
    fn parses_names_params_and_quoted_values() {
        let offers =
            parse_extensions("foo, bar; baz=2;qux ,permessage-deflate; x=\"a\\b\"").unwrap();
        assert_eq!(offers[0], ExtensionOffer::new("foo"));
        assert_eq!(
            offers[1],
            ExtensionOffer::new("bar")
                .with_param("baz", Some("2".into()))
                .with_param("qux", None)
        );
        assert_eq!(offers[2].params[0].1.as_deref(), Some("ab"));
    }

    #[test]
    fn rejects_malformed_headers_without_panicking() {
        for bad in [
            ";",
            "a;",
            "a; =1",
            "a; b=",
            "a; b=\"unterminated",
            "a b",
            "a; b=1 c",
            "é",
        ] {
            assert!(parse_extensions(bad).is_err(), "{bad:?}");
        }
        assert_eq!(parse_extensions(" , ,").unwrap(), vec![]);
    }

    #[test]
    fn formats_back_to_a_parsable_header() {
        let offers = vec![
            ExtensionOffer::new("permessage-deflate").with_param("client_max_window_bits", None),
            ExtensionOffer::new("x").with_param("y", Some("1".into())),
        ];
        let header = format_extensions(&offers);
        assert_eq!(header, "permessage-deflate; client_max_window_bits, x; y=1");
        assert_eq!(parse_extensions(&header).unwrap(), offers);
    }
}
