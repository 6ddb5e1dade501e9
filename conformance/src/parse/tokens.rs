//! Splitting a step line into tokens, and the cursor the step parsers read them with.

use std::fmt;

use super::values::{parse_hex, parse_number};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Token {
    Word(String),
    Str(Vec<u8>),
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Token::Word(word) => write!(f, "`{word}`"),
            Token::Str(bytes) => write!(f, "string {:?}", String::from_utf8_lossy(bytes)),
        }
    }
}

/// Splits a line into words and quoted strings (with `\"`, `\\`, `\n`, `\r`, `\t`, `\0`,
/// `\xNN` for any byte and `\u{...}` for a character).
pub(super) fn tokenize(line: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut chars = line.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '"' {
            chars.next();
            let mut bytes = Vec::new();
            loop {
                match chars.next() {
                    None => return Err("unterminated string".into()),
                    Some('"') => break,
                    Some('\\') => match chars.next() {
                        Some('"') => bytes.push(b'"'),
                        Some('\\') => bytes.push(b'\\'),
                        Some('n') => bytes.push(b'\n'),
                        Some('r') => bytes.push(b'\r'),
                        Some('t') => bytes.push(b'\t'),
                        Some('0') => bytes.push(0),
                        Some('x') => {
                            let hex: String = chars.by_ref().take(2).collect();
                            let byte = u8::from_str_radix(&hex, 16)
                                .map_err(|_| format!("bad escape \\x{hex}"))?;
                            bytes.push(byte);
                        }
                        Some('u') => {
                            if chars.next() != Some('{') {
                                return Err("\\u needs braces: \\u{e9}".into());
                            }
                            let hex: String = chars.by_ref().take_while(|&c| c != '}').collect();
                            let ch = u32::from_str_radix(&hex, 16)
                                .ok()
                                .and_then(char::from_u32)
                                .ok_or_else(|| format!("bad escape \\u{{{hex}}}"))?;
                            let mut buf = [0; 4];
                            bytes.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                        }
                        other => return Err(format!("unknown escape \\{}", other.unwrap_or(' '))),
                    },
                    Some(ch) => {
                        let mut buf = [0; 4];
                        bytes.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                    }
                }
            }
            tokens.push(Token::Str(bytes));
        } else {
            let mut word = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() || c == '"' {
                    break;
                }
                word.push(c);
                chars.next();
            }
            tokens.push(Token::Word(word));
        }
    }
    Ok(tokens)
}

pub(super) struct Cursor {
    pub(super) tokens: Vec<Token>,
    pub(super) pos: usize,
}

impl Cursor {
    pub(super) fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    pub(super) fn peek_word(&self) -> Option<&str> {
        match self.peek() {
            Some(Token::Word(word)) => Some(word),
            _ => None,
        }
    }

    pub(super) fn word(&mut self, what: &str) -> Result<String, String> {
        match self.tokens.get(self.pos) {
            Some(Token::Word(word)) => {
                self.pos += 1;
                Ok(word.clone())
            }
            Some(other) => Err(format!("expected {what}, found {other}")),
            None => Err(format!("expected {what} at the end of the line")),
        }
    }

    pub(super) fn keyword(&mut self, expected: &str) -> Result<(), String> {
        let word = self.word(&format!("`{expected}`"))?;
        if word == expected {
            Ok(())
        } else {
            Err(format!("expected `{expected}`, found `{word}`"))
        }
    }

    pub(super) fn eat(&mut self, expected: &str) -> bool {
        if self.peek_word() == Some(expected) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    pub(super) fn number(&mut self, what: &str) -> Result<u64, String> {
        let word = self.word(what)?;
        parse_number(&word).ok_or_else(|| format!("expected {what}, found `{word}`"))
    }

    fn at_payload(&self) -> bool {
        match self.peek() {
            Some(Token::Str(_)) => true,
            Some(Token::Word(word)) => matches!(word.as_str(), "hex" | "repeat" | "empty"),
            None => false,
        }
    }

    pub(super) fn at_number(&self) -> bool {
        self.peek_word()
            .is_some_and(|word| parse_number(word).is_some())
    }

    /// `piece (+ piece)*` where a piece is a string, `hex ..`, `repeat N BYTE|STRING` or
    /// `empty`.
    pub(super) fn payload(&mut self) -> Result<Vec<u8>, String> {
        let mut bytes = self.piece()?;
        while self.eat("+") {
            bytes.extend(self.piece()?);
        }
        Ok(bytes)
    }

    pub(super) fn piece(&mut self) -> Result<Vec<u8>, String> {
        match self.tokens.get(self.pos).cloned() {
            Some(Token::Str(bytes)) => {
                self.pos += 1;
                Ok(bytes)
            }
            Some(Token::Word(word)) if word == "empty" => {
                self.pos += 1;
                Ok(Vec::new())
            }
            Some(Token::Word(word)) if word == "hex" => {
                self.pos += 1;
                let mut bytes = Vec::new();
                while let Some(digits) = self.peek_word().and_then(parse_hex) {
                    bytes.extend(digits);
                    self.pos += 1;
                }
                if bytes.is_empty() {
                    return Err("`hex` needs at least one byte".into());
                }
                Ok(bytes)
            }
            Some(Token::Word(word)) if word == "repeat" => {
                self.pos += 1;
                let count = self.number("a repeat count")?;
                let count = usize::try_from(count).map_err(|_| "repeat count too large")?;
                let unit = match self.tokens.get(self.pos).cloned() {
                    Some(Token::Str(bytes)) => bytes,
                    Some(Token::Word(word)) => {
                        vec![
                            parse_number(&word)
                                .and_then(|n| u8::try_from(n).ok())
                                .ok_or_else(|| format!("expected a byte, found `{word}`"))?,
                        ]
                    }
                    None => return Err("`repeat N` needs a byte or a string".into()),
                };
                self.pos += 1;
                Ok(unit.repeat(count))
            }
            Some(other) => Err(format!("expected a payload, found {other}")),
            None => Err("expected a payload at the end of the line".into()),
        }
    }

    pub(super) fn optional_payload(&mut self) -> Result<Vec<u8>, String> {
        if self.at_payload() {
            self.payload()
        } else {
            Ok(Vec::new())
        }
    }

    pub(super) fn fin_or_more(&mut self) -> Result<bool, String> {
        match self.word("`fin` or `more`")?.as_str() {
            "fin" => Ok(true),
            "more" => Ok(false),
            other => Err(format!("expected `fin` or `more`, found `{other}`")),
        }
    }

    pub(super) fn utf8(bytes: Vec<u8>, what: &str) -> Result<String, String> {
        String::from_utf8(bytes).map_err(|_| format!("{what} must be valid UTF-8"))
    }
}
