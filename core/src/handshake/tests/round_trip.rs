//! Our client against our server, in every chunking.

use std::time::Instant;

use super::*;
use crate::extension::ExtensionOffer;

fn chunkings(len: usize) -> Vec<Vec<usize>> {
    let mut all: Vec<Vec<usize>> = (0..=len)
        .map(|split| vec![split.max(1), usize::MAX])
        .collect();
    all.extend([
        vec![1],
        vec![2],
        vec![3],
        vec![5],
        vec![64],
        vec![usize::MAX],
        vec![1, 7, 2, 30],
    ]);
    all
}

#[test]
fn client_and_server_agree_in_every_chunking() {
    let request = ClientRequest::new("ws://localhost:9001/echo?x=1")
        .unwrap()
        .subprotocol("v2.echo")
        .subprotocol("v1.echo")
        .extension(
            ExtensionOffer::new("permessage-deflate").with_param("client_max_window_bits", None),
        )
        .extension(ExtensionOffer::new("x-other"))
        .header(
            http::header::ORIGIN,
            http::HeaderValue::from_static("https://app.example"),
        );
    let client_frame = b"\x81\x82abcd\x09\x0b"; // masked text, sent right behind the request
    let server_frame = b"\x81\x02hi";

    let template = ClientHandshake::with_key(request.clone(), RFC_NONCE, Instant::now());
    let wire = [template.request_bytes(), &client_frame[..]].concat();
    for sizes in chunkings(wire.len()) {
        let upgrade = server_feed(HandshakeLimits::default(), &wire, &sizes)
            .unwrap()
            .unwrap();
        assert_eq!(upgrade.request.uri(), "/echo?x=1");
        assert_eq!(upgrade.request.headers()["host"], "localhost:9001");
        assert_eq!(upgrade.origin(), Some("https://app.example"));
        assert_eq!(upgrade.subprotocols, ["v2.echo", "v1.echo"]);
        assert_eq!(upgrade.extensions.len(), 2);
        assert_eq!(&upgrade.leftover[..], client_frame, "{sizes:?}");

        let deflate = ExtensionOffer::new("permessage-deflate")
            .with_param("client_max_window_bits", Some("12".into()));
        let accept = Accept::new()
            .subprotocol("v1.echo")
            .extension(deflate.clone());
        let reply = [&upgrade.accept(&accept)[..], &server_frame[..]].concat();

        for reply_sizes in [vec![1], vec![3], vec![usize::MAX], vec![reply.len() - 4, 4]] {
            let mut client = ClientHandshake::with_key(request.clone(), RFC_NONCE, Instant::now());
            let mut rest = &reply[..];
            let mut sizes = reply_sizes.iter().cycle();
            let response = loop {
                let (chunk, after) = rest.split_at((*sizes.next().unwrap()).min(rest.len()));
                rest = after;
                if let Some(mut response) = client.receive(chunk).unwrap() {
                    response.leftover = [&response.leftover[..], rest].concat().into();
                    break response;
                }
            };
            assert_eq!(response.subprotocol.as_deref(), Some("v1.echo"));
            assert_eq!(response.extensions, std::slice::from_ref(&deflate));
            assert_eq!(&response.leftover[..], server_frame, "{reply_sizes:?}");
        }
    }
}

#[test]
fn a_fresh_random_key_round_trips() {
    let client_request = ClientRequest::new("wss://example.com").unwrap();
    let mut client = ClientHandshake::new(client_request, Instant::now());
    let upgrade = server_feed(
        HandshakeLimits::default(),
        client.request_bytes(),
        &[usize::MAX],
    )
    .unwrap()
    .unwrap();
    assert_eq!(upgrade.request.headers()["host"], "example.com");
    let response = client
        .receive(&upgrade.accept(&Accept::default()))
        .unwrap()
        .unwrap();
    assert_eq!(response.subprotocol, None);
    assert!(response.extensions.is_empty());
}

#[test]
fn a_server_choice_the_client_did_not_offer_fails_the_client() {
    let request = ClientRequest::new("ws://a/").unwrap().subprotocol("one");
    let mut client = ClientHandshake::with_key(request, RFC_NONCE, Instant::now());
    let upgrade = server_feed(
        HandshakeLimits::default(),
        client.request_bytes(),
        &[usize::MAX],
    )
    .unwrap()
    .unwrap();
    let accept = Accept::new()
        .subprotocol("two")
        .extension(ExtensionOffer::new("x"));
    assert!(matches!(
        client.receive(&upgrade.accept(&accept)),
        Err(HandshakeError::UnexpectedSubprotocol(p)) if p == "two"
    ));
}
