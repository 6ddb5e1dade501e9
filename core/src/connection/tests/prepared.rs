//! Prepared messages (broadcast): the same frame as `send`, shared between connections.

use super::*;
use crate::extension::deflate::{DeflateConfig, DeflateParams, PerMessageDeflate};
use crate::prepared::PreparedMessage;

fn messages() -> [Message; 3] {
    [
        Message::Text("hello".into()),
        Message::Binary(Bytes::from(vec![3u8; 1000])),
        Message::Binary(Bytes::from(vec![5u8; 70_000])),
    ]
}

#[test]
fn a_server_sends_the_same_bytes_as_send() {
    for message in messages() {
        let (mut sent, _) = server();
        sent.send(message.clone()).unwrap();
        let (mut prepared, _) = server();
        prepared
            .send_prepared(&PreparedMessage::new(message))
            .unwrap();
        assert_eq!(take_output(&mut prepared), take_output(&mut sent));
        assert_eq!(prepared.stats().messages_sent, 1);
    }
}

#[test]
fn a_client_masks_the_prepared_frame() {
    for message in messages() {
        let (mut client, now) = client();
        client
            .send_prepared(&PreparedMessage::new(message.clone()))
            .unwrap();
        let wire = take_output(&mut client);
        assert_eq!(wire[1] & 0x80, 0x80, "masked");
        let (mut peer, _) = server();
        peer.receive(now, &wire);
        assert_eq!(peer.poll_event(), Some(Event::Message(message)));
    }
}

#[test]
fn a_deflate_connection_sends_it_uncompressed() {
    let now = Instant::now();
    let mut config = DeflateConfig::default();
    config.threshold = 0;
    let codec = |role| {
        Box::new(PerMessageDeflate::new(
            role,
            DeflateParams::default(),
            &config,
        ))
    };
    let mut server =
        Connection::new(Role::Server, Config::default(), now).with_extension(codec(Role::Server));
    let mut client =
        Connection::new(Role::Client, Config::default(), now).with_extension(codec(Role::Client));
    let message = Message::Text("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".into());
    server
        .send_prepared(&PreparedMessage::new(message.clone()))
        .unwrap();
    server.send(message.clone()).unwrap();
    let wire = take_output(&mut server);
    assert_eq!(wire[0], 0x81, "RSV1 clear: not compressed");
    assert_eq!(wire[1], 40);
    assert_eq!(wire[42] & 0x40, 0x40, "send still compresses");
    client.receive(now, &wire);
    assert_eq!(client.poll_event(), Some(Event::Message(message.clone())));
    assert_eq!(client.poll_event(), Some(Event::Message(message)));
}

#[test]
fn refused_in_the_wrong_states() {
    let prepared = PreparedMessage::new("x");
    let (mut conn, _) = server();
    conn.send_fragment(MessageKind::Text, "a", false).unwrap();
    assert_eq!(
        conn.send_prepared(&prepared),
        Err(SendError::FragmentedMessageInProgress)
    );

    let now = Instant::now();
    let mut config = Config::default();
    config.write_buffer_limit = 10;
    let mut full = Connection::new(Role::Server, config, now);
    full.send_binary(vec![0; 20]).unwrap();
    assert!(matches!(
        full.send_prepared(&prepared),
        Err(SendError::BufferFull { .. })
    ));

    let (mut closed, now) = server();
    closed.close(now, CloseCode::NORMAL, "").unwrap();
    assert_eq!(closed.send_prepared(&prepared), Err(SendError::Closed));
    assert_eq!(closed.stats().messages_sent, 0);

    let mut handshake = Connection::server(
        crate::handshake::ServerOptions::new(),
        Config::default(),
        now,
    );
    assert_eq!(handshake.send_prepared(&prepared), Err(SendError::NotOpen));
}

#[test]
fn many_servers_share_one_allocation() {
    let prepared = PreparedMessage::new(Bytes::from(vec![7u8; 8192]));
    let conns: Vec<Connection> = (0..10)
        .map(|_| {
            let (mut conn, _) = server();
            conn.send_prepared(&prepared).unwrap();
            conn
        })
        .collect();
    for conn in &conns {
        assert_eq!(conn.pending_output().as_ptr(), prepared.frame().as_ptr());
        assert_eq!(conn.buffered_amount(), prepared.frame().len());
    }
}
