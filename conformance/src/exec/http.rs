//! `expect sent http` and `expect http status`: the HTTP messages at the front of what the
//! endpoint wrote.

use crate::script::ExpectedHttp;

use super::Exec;

impl Exec<'_> {
    /// `expect http status`: the status of the HTTP response at the front of what we sent.
    pub(super) fn expect_http_status(&mut self, status: u16) -> Result<(), String> {
        let (head, len) = self.http_message()?;
        let got = head
            .lines()
            .next()
            .and_then(|line| line.split(' ').nth(1))
            .unwrap_or_default()
            .to_owned();
        if got != status.to_string() {
            return Err(format!("expected HTTP status {status}, got head {head:?}"));
        }
        self.sent.drain(..len);
        Ok(())
    }

    /// The HTTP message at the front of what we sent: its head (without the blank line) and
    /// its length with the body that `Content-Length` announces.
    pub(super) fn http_message(&self) -> Result<(String, usize), String> {
        let Some(end) = self.sent.windows(4).position(|w| w == b"\r\n\r\n") else {
            return Err(format!(
                "expected an HTTP head, got {:?}",
                String::from_utf8_lossy(&self.sent)
            ));
        };
        let head = String::from_utf8_lossy(self.sent.get(..end).unwrap_or_default()).into_owned();
        let body = head
            .lines()
            .skip(1)
            .filter_map(|line| line.split_once(':'))
            .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
            .and_then(|(_, value)| value.trim().parse::<usize>().ok())
            .unwrap_or(0);
        let len = end + 4 + body;
        if self.sent.len() < len {
            return Err(format!("the HTTP body is incomplete: {head:?}"));
        }
        Ok((head, len))
    }

    pub(super) fn expect_http(&mut self, expected: &ExpectedHttp) -> Result<(), String> {
        let (head, len) = self.http_message()?;
        let mut lines = head.split("\r\n");
        let start = lines.next().unwrap_or_default();
        if start != expected.start {
            return Err(format!("expected `{}`, got head {head:?}", expected.start));
        }
        let mut got: Vec<(String, String)> = Vec::new();
        for line in lines {
            let (name, value) = line
                .split_once(':')
                .ok_or_else(|| format!("bad header line {line:?} in {head:?}"))?;
            got.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
        for (name, value) in &expected.headers {
            let Some(index) = got
                .iter()
                .position(|(n, v)| n == name && (v == value || value == "*" || value == "{key}"))
            else {
                return Err(format!("header `{name}: {value}` missing from {head:?}"));
            };
            let (_, found) = got.remove(index);
            if value == "{key}" {
                self.our_key = Some(found);
            }
        }
        if !got.is_empty() && !expected.extra_headers {
            return Err(format!("unexpected headers {got:?} in {head:?}"));
        }
        self.sent.drain(..len);
        Ok(())
    }
}
