//! The `deflate_negotiation` harness.

use bytes::BytesMut;
use wsflow_core::extension::deflate::DeflateConfig;
use wsflow_core::extension::{
    Encoded, Extension, ExtensionOffer, FramePosition, format_extensions, parse_extensions,
};

/// A config from four bytes: flags, server window, client window, level.
fn config(bytes: [u8; 4]) -> DeflateConfig {
    let [flags, server, client, level] = bytes;
    let mut config = DeflateConfig::default();
    config.server_no_context_takeover = flags & 1 != 0;
    config.client_no_context_takeover = flags & 2 != 0;
    config.fallback_offer = flags & 4 != 0;
    config.server_max_window_bits = (server != 0).then_some(server % 20);
    config.client_max_window_bits = (client != 0).then_some(client % 20);
    config.compression_level = u32::from(level % 12);
    config.threshold = 0;
    config
}

/// Parses a header value; if it parses, formatting and parsing again gives the same list.
fn parse(value: &str) -> Option<Vec<ExtensionOffer>> {
    let offers = parse_extensions(value).ok()?;
    let text = format_extensions(&offers);
    assert_eq!(
        parse_extensions(&text).as_ref(),
        Ok(&offers),
        "{value:?} formats as {text:?}"
    );
    Some(offers)
}

/// Runs one input.
pub fn run(data: &[u8]) {
    if data.len() < 8 {
        return;
    }
    let (head, rest) = data.split_at(8);
    let server = config([head[0], head[1], head[2], head[3]]);
    let client = config([head[4], head[5], head[6], head[7]]);
    let text = String::from_utf8_lossy(rest);
    let mut lines = text.split('\n');
    let offer = lines.next().unwrap_or("");
    let response = lines.next().unwrap_or("");

    // Arbitrary offers into a server.
    if let Some((answer, _codec)) = parse(offer).and_then(|offers| server.server_negotiate(&offers))
    {
        let formatted = format_extensions(std::slice::from_ref(&answer));
        assert_eq!(parse(&formatted), Some(vec![answer]));
    }
    // An arbitrary response into a client.
    if let Some(elements) = parse(response) {
        let _ = client.client_accept(&elements);
    }

    // The client's own offers, on the wire and back, always get an answer it accepts.
    let offers = client.client_offers();
    let sent = parse(&format_extensions(&offers)).expect("our offers parse");
    assert_eq!(sent, offers);
    let (answer, mut server_codec) = server
        .server_negotiate(&sent)
        .expect("a server can honour every well-formed offer");
    let answer = parse(&format_extensions(&[answer])).expect("our answer parses");
    let mut client_codec = match client.client_accept(&answer) {
        Ok(Some(codec)) => codec,
        other => panic!("client refuses {answer:?} to {offers:?}: {other:?}"),
    };
    // Both directions, twice (context takeover), with the input as the message.
    for _ in 0..2 {
        round_trip(&mut server_codec, &mut client_codec, rest);
        round_trip(&mut client_codec, &mut server_codec, rest);
    }
}

/// `message` encoded by `from` decodes to itself in `to`.
fn round_trip(from: &mut dyn Extension, to: &mut dyn Extension, message: &[u8]) {
    let position = FramePosition {
        first: true,
        fin: true,
    };
    let mut wire = BytesMut::new();
    match from.encode(message, position, &mut wire) {
        Encoded::Transformed { .. } => {
            let mut out = BytesMut::new();
            to.decode(&wire, true, &mut out, message.len())
                .expect("the negotiated peer inflates what we deflate");
            assert_eq!(&out[..], message, "deflate round trip");
        }
        Encoded::Unchanged => {}
    }
}
