//! The `key: value` header lines that open a script: roles, configuration, chunkings, masking
//! keys and the opening handshake's setup.

use wsflow_core::{Config, Keepalive, ReceiveMode, Role};

use crate::chunking::Chunking;
use crate::script::{CONFIG_KEYS, HandshakeSetup, Trailing};

use super::values::{parse_duration, parse_hex, parse_number, parse_switch, parse_usize};

/// `key: value` with a lowercase key.
pub(super) fn header(line: &str) -> Option<(&str, &str)> {
    let (key, value) = line.split_once(':')?;
    let is_key = !key.is_empty() && key.chars().all(|c| c.is_ascii_lowercase() || c == '-');
    is_key.then_some((key, value))
}

pub(super) fn parse_roles(value: &str) -> Result<Vec<Role>, String> {
    match value {
        "client" => Ok(vec![Role::Client]),
        "server" => Ok(vec![Role::Server]),
        "both" => Ok(vec![Role::Client, Role::Server]),
        other => Err(format!(
            "role must be client, server or both, not `{other}`"
        )),
    }
}

pub(super) fn parse_trailing(value: &str) -> Result<Trailing, String> {
    match value {
        "none" => Ok(Trailing::None),
        "partial" => Ok(Trailing::Partial),
        "frame" => Ok(Trailing::Frame),
        other => Err(format!(
            "trailing must be none, partial or frame, not `{other}`"
        )),
    }
}

pub(super) fn parse_chunkings(value: &str) -> Result<Vec<Chunking>, String> {
    let chunkings = value
        .split_whitespace()
        .map(|name| Chunking::from_name(name).ok_or_else(|| format!("unknown chunking `{name}`")))
        .collect::<Result<Vec<_>, _>>()?;
    if chunkings.is_empty() {
        return Err("`chunkings:` needs at least one name".into());
    }
    Ok(chunkings)
}

pub(super) fn parse_key(value: &str) -> Result<[u8; 4], String> {
    let digits: String = value.split_whitespace().collect();
    let bytes = parse_hex(&digits).ok_or_else(|| format!("bad masking key `{value}`"))?;
    <[u8; 4]>::try_from(bytes).map_err(|_| format!("a masking key is 4 bytes, not `{value}`"))
}

/// `requires:` items: what the script needs beyond an echo peer, from
/// [`crate::blackbox::select::DECLARED`].
pub(super) fn parse_requires(value: &str) -> Result<Vec<String>, String> {
    let known = crate::blackbox::select::DECLARED;
    let items: Vec<String> = value.split_whitespace().map(str::to_owned).collect();
    if items.is_empty() {
        return Err("`requires:` needs at least one item".into());
    }
    match items
        .iter()
        .find(|item| !known.iter().any(|(name, _)| name == item))
    {
        Some(unknown) => Err(format!(
            "unknown requirement `{unknown}` (known: {})",
            known
                .iter()
                .map(|(name, _)| *name)
                .collect::<Vec<_>>()
                .join(", ")
        )),
        None => Ok(items),
    }
}

pub(super) fn parse_config(
    value: &str,
    config: &mut Config,
    keys: &mut Vec<String>,
) -> Result<(), String> {
    for item in value.split_whitespace() {
        let (key, value) = item
            .split_once('=')
            .ok_or_else(|| format!("config items are key=value, not `{item}`"))?;
        keys.push(key.to_owned());
        let bad = || format!("bad value for {key}: `{value}`");
        match key {
            "max_frame_size" => config.max_frame_size = parse_number(value).ok_or_else(bad)?,
            "max_message_size" => config.max_message_size = parse_number(value).ok_or_else(bad)?,
            "max_fragments_per_message" => {
                config.max_fragments_per_message = parse_usize(value).ok_or_else(bad)?;
            }
            "auto_pong" => config.auto_pong = parse_switch(value).ok_or_else(bad)?,
            "max_pending_events" => {
                config.max_pending_events = parse_usize(value).ok_or_else(bad)?;
            }
            "write_buffer_high_water" => {
                config.write_buffer_high_water = parse_usize(value).ok_or_else(bad)?;
            }
            "write_buffer_limit" => {
                config.write_buffer_limit = parse_usize(value).ok_or_else(bad)?;
            }
            "close_timeout" => config.close_timeout = parse_duration(value).ok_or_else(bad)?,
            "keepalive" => {
                config.keepalive = if value == "off" {
                    None
                } else {
                    let (interval, timeout) = value.split_once('/').ok_or_else(bad)?;
                    Some(Keepalive {
                        interval: parse_duration(interval).ok_or_else(bad)?,
                        timeout: parse_duration(timeout).ok_or_else(bad)?,
                    })
                };
            }
            "receive_mode" => {
                config.receive_mode = match value {
                    "whole" => ReceiveMode::WholeMessages,
                    "streaming" => ReceiveMode::Streaming,
                    _ => return Err(bad()),
                };
            }
            other => {
                return Err(format!(
                    "unknown config key `{other}` (known: {})",
                    CONFIG_KEYS.join(", ")
                ));
            }
        }
    }
    Ok(())
}

pub(super) fn parse_handshake(
    key: &str,
    value: &str,
    setup: &mut HandshakeSetup,
) -> Result<(), String> {
    match key {
        "handshake" if value == "on" => {}
        "handshake" if value == "h2" => setup.http2 = true,
        "handshake" => return Err(format!("`handshake:` takes `on` or `h2`, not `{value}`")),
        "connect-protocol" if value == "advertised" => setup.connect_protocol_withheld = false,
        "connect-protocol" if value == "withheld" => setup.connect_protocol_withheld = true,
        "connect-protocol" => {
            return Err(format!(
                "`connect-protocol:` takes `advertised` or `withheld`, not `{value}`"
            ));
        }
        "url" => value.clone_into(&mut setup.url),
        "reject" => {
            let status = value
                .parse::<u16>()
                .ok()
                .filter(|status| (400..600).contains(status))
                .ok_or_else(|| format!("`reject:` takes a 4xx or 5xx status, not `{value}`"))?;
            setup.reject = Some(status);
        }
        "subprotocols" => {
            setup.subprotocols = value.split_whitespace().map(str::to_owned).collect();
        }
        _ => setup.deflate = Some(parse_deflate(value)?),
    }
    Ok(())
}

/// `on`, or `key[=value]` items: `server_no_context_takeover`, `client_no_context_takeover`,
/// `server_max_window_bits=N`, `client_max_window_bits=N`, `threshold=N`, `fallback=on|off`.
fn parse_deflate(value: &str) -> Result<wsflow_core::extension::deflate::DeflateConfig, String> {
    let mut config = wsflow_core::extension::deflate::DeflateConfig::default();
    for item in value.split_whitespace() {
        let (key, arg) = item.split_once('=').unwrap_or((item, ""));
        let bad = || format!("bad deflate item `{item}`");
        let bits = || {
            parse_number(arg)
                .and_then(|n| u8::try_from(n).ok())
                .ok_or_else(bad)
        };
        match key {
            "on" => {}
            "server_no_context_takeover" => config.server_no_context_takeover = true,
            "client_no_context_takeover" => config.client_no_context_takeover = true,
            "server_max_window_bits" => config.server_max_window_bits = Some(bits()?),
            "client_max_window_bits" => config.client_max_window_bits = Some(bits()?),
            "threshold" => config.threshold = parse_usize(arg).ok_or_else(bad)?,
            "fallback" => config.fallback_offer = parse_switch(arg).ok_or_else(bad)?,
            _ => return Err(bad()),
        }
    }
    Ok(config)
}
