//! Negotiation tests (RFC 7692 §5, §7.1): offers, server choices, client validation, and
//! whole handshakes followed by traffic in both directions.

use bytes::BytesMut;

use super::*;
use crate::extension::{Encoded, Extension, FramePosition, format_extensions, parse_extensions};

fn header(offers: &[ExtensionOffer]) -> String {
    format_extensions(offers)
}

fn parsed(header: &str) -> Vec<ExtensionOffer> {
    parse_extensions(header).unwrap()
}

fn server_answer(config: &DeflateConfig, request: &str) -> Option<String> {
    config
        .server_negotiate(&parsed(request))
        .map(|(response, _)| response.to_string())
}

fn client_accept(
    config: &DeflateConfig,
    response: &str,
) -> Result<Option<DeflateParams>, DeflateNegotiationError> {
    config
        .client_accept(&parsed(response))
        .map(|codec| codec.map(|codec| codec.params()))
}

#[test]
fn client_offers() {
    assert_eq!(
        header(&DeflateConfig::default().client_offers()),
        "permessage-deflate; client_max_window_bits"
    );
    let config = DeflateConfig {
        server_no_context_takeover: true,
        client_no_context_takeover: true,
        server_max_window_bits: Some(10),
        client_max_window_bits: Some(12),
        ..DeflateConfig::default()
    };
    assert_eq!(
        header(&config.client_offers()),
        "permessage-deflate; server_no_context_takeover; client_no_context_takeover; \
         server_max_window_bits=10; client_max_window_bits=12, \
         permessage-deflate; client_no_context_takeover; client_max_window_bits=12"
    );
    let single = DeflateConfig {
        fallback_offer: false,
        ..config
    };
    assert_eq!(single.client_offers().len(), 1);
    // Out-of-range windows are clamped to what RFC 7692 allows.
    let clamped = DeflateConfig {
        server_max_window_bits: Some(7),
        client_max_window_bits: Some(20),
        fallback_offer: false,
        ..DeflateConfig::default()
    };
    assert_eq!(
        header(&clamped.client_offers()),
        "permessage-deflate; server_max_window_bits=8; client_max_window_bits=15"
    );
}

#[test]
fn server_answers_each_parameter() {
    let config = DeflateConfig::default();
    let table = [
        ("permessage-deflate", Some("permessage-deflate")),
        (
            "permessage-deflate; client_max_window_bits",
            Some("permessage-deflate"),
        ),
        (
            "permessage-deflate; server_no_context_takeover",
            Some("permessage-deflate; server_no_context_takeover"),
        ),
        (
            "permessage-deflate; client_no_context_takeover",
            Some("permessage-deflate; client_no_context_takeover"),
        ),
        (
            "permessage-deflate; server_max_window_bits=10",
            Some("permessage-deflate; server_max_window_bits=10"),
        ),
        (
            "permessage-deflate; client_max_window_bits=12",
            Some("permessage-deflate; client_max_window_bits=12"),
        ),
        (
            "permessage-deflate; client_max_window_bits=8",
            Some("permessage-deflate; client_max_window_bits=8"),
        ),
        // Honoured with zlib's 9-bit setting, whose matches never reach past 250 bytes.
        (
            "permessage-deflate; server_max_window_bits=8",
            Some("permessage-deflate; server_max_window_bits=8"),
        ),
        (
            "permessage-deflate; server_max_window_bits=8; client_max_window_bits=8",
            Some("permessage-deflate; server_max_window_bits=8; client_max_window_bits=8"),
        ),
        (
            "x-webkit-deflate-frame, permessage-deflate",
            Some("permessage-deflate"),
        ),
        ("x-webkit-deflate-frame", None),
        ("", None),
    ];
    for (request, expected) in table {
        assert_eq!(
            server_answer(&config, request).as_deref(),
            expected,
            "{request}"
        );
    }
}

#[test]
fn server_declines_malformed_offers_and_takes_the_next() {
    let config = DeflateConfig::default();
    for bad in [
        "permessage-deflate; foo",
        "permessage-deflate; server_max_window_bits",
        "permessage-deflate; server_max_window_bits=16",
        "permessage-deflate; server_max_window_bits=7",
        "permessage-deflate; server_max_window_bits=010",
        "permessage-deflate; client_max_window_bits=16",
        "permessage-deflate; client_max_window_bits=x",
        "permessage-deflate; server_no_context_takeover=1",
        "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
        "permessage-deflate; client_max_window_bits; client_max_window_bits=10",
    ] {
        assert_eq!(server_answer(&config, bad), None, "{bad}");
        let with_fallback = format!("{bad}, permessage-deflate; client_max_window_bits=10");
        assert_eq!(
            server_answer(&config, &with_fallback).as_deref(),
            Some("permessage-deflate; client_max_window_bits=10"),
            "{with_fallback}"
        );
    }
}

#[test]
fn server_applies_its_own_config() {
    let config = DeflateConfig {
        server_no_context_takeover: true,
        client_no_context_takeover: true,
        server_max_window_bits: Some(10),
        client_max_window_bits: Some(11),
        ..DeflateConfig::default()
    };
    let prefix = "permessage-deflate; server_no_context_takeover; client_no_context_takeover";
    let table = [
        ("permessage-deflate", "; server_max_window_bits=10"),
        (
            "permessage-deflate; client_max_window_bits",
            "; server_max_window_bits=10; client_max_window_bits=11",
        ),
        (
            "permessage-deflate; server_max_window_bits=12; client_max_window_bits=9",
            "; server_max_window_bits=10; client_max_window_bits=9",
        ),
        (
            "permessage-deflate; server_max_window_bits=9",
            "; server_max_window_bits=9",
        ),
    ];
    for (request, expected) in table {
        let expected = format!("{prefix}{expected}");
        assert_eq!(server_answer(&config, request), Some(expected), "{request}");
    }
    // A configured 8 is used as is; a configured 7 becomes 8.
    let eight = DeflateConfig {
        server_max_window_bits: Some(7),
        ..DeflateConfig::default()
    };
    assert_eq!(
        server_answer(&eight, "permessage-deflate; server_max_window_bits=12").as_deref(),
        Some("permessage-deflate; server_max_window_bits=8")
    );
}

#[test]
fn client_accepts_each_parameter() {
    let config = DeflateConfig::default();
    assert_eq!(client_accept(&config, ""), Ok(None));
    assert_eq!(client_accept(&config, "x-other"), Ok(None));
    assert_eq!(
        client_accept(&config, "permessage-deflate"),
        Ok(Some(DeflateParams::default()))
    );
    let all = "permessage-deflate; server_no_context_takeover; client_no_context_takeover; \
               server_max_window_bits=8; client_max_window_bits=9";
    assert_eq!(
        client_accept(&config, all),
        Ok(Some(DeflateParams {
            server_no_context_takeover: true,
            client_no_context_takeover: true,
            server_max_window_bits: 8,
            client_max_window_bits: 9,
        }))
    );
}

#[test]
fn client_told_to_use_an_8_bit_window_still_compresses() {
    let config = DeflateConfig {
        threshold: 0,
        ..DeflateConfig::default()
    };
    let mut codec = config
        .client_accept(&parsed("permessage-deflate; client_max_window_bits=8"))
        .unwrap()
        .unwrap();
    assert_eq!(codec.params().client_max_window_bits, 8);
    let whole = FramePosition {
        first: true,
        fin: true,
    };
    let mut out = BytesMut::new();
    assert_eq!(
        codec.encode(&[b'a'; 1000], whole, &mut out),
        Encoded::Transformed { rsv: 0x40 }
    );
    assert!(out.len() < 100);
}

#[test]
fn client_rejects_malformed_responses() {
    use DeflateNegotiationError as E;
    let config = DeflateConfig {
        client_max_window_bits: Some(12),
        ..DeflateConfig::default()
    };
    let table = [
        (
            "permessage-deflate, permessage-deflate",
            E::MultipleResponses,
        ),
        ("permessage-deflate; foo", E::UnknownParameter("foo".into())),
        (
            "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
            E::DuplicateParameter("server_no_context_takeover".into()),
        ),
        (
            "permessage-deflate; client_no_context_takeover=1",
            E::UnexpectedValue("client_no_context_takeover".into()),
        ),
        (
            "permessage-deflate; client_max_window_bits",
            E::MissingValue("client_max_window_bits".into()),
        ),
        (
            "permessage-deflate; server_max_window_bits=16",
            E::InvalidValue {
                param: "server_max_window_bits".into(),
                value: "16".into(),
            },
        ),
        (
            "permessage-deflate; server_max_window_bits=7",
            E::InvalidValue {
                param: "server_max_window_bits".into(),
                value: "7".into(),
            },
        ),
        (
            "permessage-deflate; client_max_window_bits=13",
            E::ClientWindowTooLarge {
                offered: 12,
                got: 13,
            },
        ),
    ];
    for (response, expected) in table {
        assert_eq!(
            client_accept(&config, response),
            Err(expected),
            "{response}"
        );
    }
    // Display names the extension.
    assert!(
        E::MultipleResponses
            .to_string()
            .starts_with("permessage-deflate")
    );
}

#[test]
fn client_checks_what_it_asked_of_the_server() {
    use DeflateNegotiationError as E;
    let strict = DeflateConfig {
        server_no_context_takeover: true,
        server_max_window_bits: Some(10),
        fallback_offer: false,
        ..DeflateConfig::default()
    };
    let table = [
        (
            "permessage-deflate; server_max_window_bits=10",
            Err(E::ServerNoContextTakeoverMissing),
        ),
        (
            "permessage-deflate; server_no_context_takeover",
            Err(E::ServerWindowMissing { asked: 10 }),
        ),
        (
            "permessage-deflate; server_no_context_takeover; server_max_window_bits=11",
            Err(E::ServerWindowTooLarge { asked: 10, got: 11 }),
        ),
        (
            "permessage-deflate; server_no_context_takeover; server_max_window_bits=9",
            Ok(()),
        ),
    ];
    for (response, expected) in table {
        let result = client_accept(&strict, response).map(|_| ());
        assert_eq!(result, expected, "{response}");
    }
    // With the fallback offer, a server that ignored our requests answered that one instead.
    let lenient = DeflateConfig {
        fallback_offer: true,
        ..strict
    };
    let params = client_accept(&lenient, "permessage-deflate; server_max_window_bits=11")
        .unwrap()
        .unwrap();
    assert_eq!(params.server_max_window_bits, 11);
    assert!(!params.server_no_context_takeover);
    // We always offer client_max_window_bits; an offer without it cannot be answered with it.
    let answer = Params {
        client_max_window_bits: Some(ClientWindow::Bits(10)),
        ..Params::default()
    };
    assert_eq!(
        answers(Params::default(), answer),
        Err(E::ClientWindowNotOffered)
    );
}

/// Sends `message` from `sender` to `receiver` in two fragments and checks it arrives.
fn send(sender: &mut PerMessageDeflate, receiver: &mut PerMessageDeflate, message: &[u8]) {
    let half = message.len() / 2;
    let mut first = BytesMut::new();
    let position = FramePosition {
        first: true,
        fin: false,
    };
    let encoded = sender.encode(&message[..half], position, &mut first);
    let mut last = BytesMut::new();
    let position = FramePosition {
        first: false,
        fin: true,
    };
    if encoded == Encoded::Unchanged {
        assert!(!receiver.begin_message(0));
        return;
    }
    sender.encode(&message[half..], position, &mut last);
    assert!(receiver.begin_message(0x40));
    let mut out = BytesMut::new();
    receiver.decode(&first, false, &mut out, 1 << 20).unwrap();
    receiver.decode(&last, true, &mut out, 1 << 20).unwrap();
    assert_eq!(&out[..], message);
}

#[test]
fn full_handshakes_then_traffic_both_ways() {
    let configs = [
        DeflateConfig::default(),
        DeflateConfig {
            server_no_context_takeover: true,
            ..DeflateConfig::default()
        },
        DeflateConfig {
            client_no_context_takeover: true,
            client_max_window_bits: Some(9),
            ..DeflateConfig::default()
        },
        DeflateConfig {
            server_max_window_bits: Some(9),
            client_max_window_bits: Some(10),
            compression_level: 1,
            ..DeflateConfig::default()
        },
        DeflateConfig {
            server_no_context_takeover: true,
            client_no_context_takeover: true,
            server_max_window_bits: Some(12),
            client_max_window_bits: Some(11),
            compression_level: 42,
            ..DeflateConfig::default()
        },
    ];
    let messages: Vec<Vec<u8>> = (0..30)
        .map(|i| format!("message {i}: {}", "lorem ipsum dolor ".repeat(i * 7)).into_bytes())
        .collect();
    for client_config in &configs {
        for server_config in &configs {
            let request = header(&client_config.client_offers());
            let (response, mut server) = server_config.server_negotiate(&parsed(&request)).unwrap();
            let response = header(&[response]);
            let mut client = client_config
                .client_accept(&parsed(&response))
                .unwrap()
                .unwrap();
            assert_eq!(client.params(), server.params(), "{request} -> {response}");
            for message in &messages {
                send(&mut client, &mut server, message);
                send(&mut server, &mut client, message);
            }
        }
    }
}
