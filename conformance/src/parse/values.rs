//! Scalar values shared by headers and steps: numbers, switches, durations and hex bytes.

use std::time::Duration;

pub(super) fn parse_switch(value: &str) -> Option<bool> {
    match value {
        "on" | "true" => Some(true),
        "off" | "false" => Some(false),
        _ => None,
    }
}

/// Decimal or `0x` hex.
pub(super) fn parse_number(text: &str) -> Option<u64> {
    let text = text.replace('_', "");
    match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

pub(super) fn parse_usize(text: &str) -> Option<usize> {
    parse_number(text).and_then(|n| usize::try_from(n).ok())
}

/// `250ms` or `10s`.
pub(super) fn parse_duration(text: &str) -> Option<Duration> {
    if let Some(ms) = text.strip_suffix("ms") {
        return parse_number(ms).map(Duration::from_millis);
    }
    text.strip_suffix('s')
        .and_then(parse_number)
        .map(Duration::from_secs)
}

pub(super) fn parse_hex(digits: &str) -> Option<Vec<u8>> {
    if digits.is_empty() || digits.len() % 2 != 0 {
        return None;
    }
    (0..digits.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(digits.get(i..i + 2)?, 16).ok())
        .collect()
}
