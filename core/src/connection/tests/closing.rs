//! The close handshake, failures, EOF and abort.

use super::*;

#[test]
fn header_violations_fail_with_1002_before_the_payload() {
    assert_server_fails(
        &frame(true, 0x40, 0x1, b"x", true),
        ProtocolError::ReservedBitsSet(4),
    );
    assert_server_fails(&to_server(true, 0x3, b""), ProtocolError::UnknownOpcode(3));
    assert_server_fails(
        &to_server(true, 0xB, b""),
        ProtocolError::UnknownOpcode(0xB),
    );
    assert_server_fails(
        &to_server(false, 0x9, b""),
        ProtocolError::FragmentedControlFrame,
    );
    // Only the first two bytes of a ping declaring 126 bytes: fails without waiting.
    assert_server_fails(&[0x89, 0xfe], ProtocolError::ControlFrameTooLarge(126));
    assert_server_fails(
        &frame(true, 0, 0x1, b"x", false),
        ProtocolError::UnmaskedFrame,
    );
    assert_server_fails(
        &[0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4],
        ProtocolError::InvalidPayloadLength,
    );
    let (mut client, now) = client();
    client.receive(now, &frame(true, 0, 0x1, b"x", true));
    assert_eq!(take_output(&mut client)[..2], [0x88, 0x80 | (2 + 26)]);
}

#[test]
fn peer_initiated_close_is_echoed_then_the_server_closes_tcp() {
    let (mut conn, now) = server();
    conn.receive(now, &to_server(true, 0x8, b"\x03\xe8bye"));
    assert_eq!(
        events(&mut conn),
        [Event::CloseReceived(CloseFrame {
            code: CloseCode::NORMAL,
            reason: "bye".into()
        })]
    );
    assert_eq!(conn.state(), State::Closing);
    assert!(
        !conn.wants_shutdown(),
        "the echo must be written before the FIN"
    );
    assert_eq!(take_output(&mut conn), [0x88, 0x02, 0x03, 0xe8]);
    assert!(conn.wants_shutdown());
    assert_eq!(conn.send_text("late"), Err(SendError::Closed));
    // Anything after the close frame is ignored.
    conn.receive(now, &to_server(true, 0x1, b"ignored"));
    conn.receive_eof(now);
    let closed = closed(&mut conn);
    assert_eq!(closed.code, CloseCode::NORMAL);
    assert_eq!(
        closed.cause,
        CloseCause::Clean {
            initiator: Initiator::Remote
        }
    );
    assert_eq!(conn.state(), State::Closed);
    assert!(!conn.wants_read());
}

#[test]
fn empty_close_reports_1005_and_is_answered_empty() {
    let (mut conn, now) = server();
    conn.receive(now, &to_server(true, 0x8, b""));
    assert_eq!(take_output(&mut conn), [0x88, 0x00]);
    conn.receive_eof(now);
    assert_eq!(closed(&mut conn).code, CloseCode::NO_STATUS);
}

#[test]
fn invalid_close_frames() {
    assert_server_fails(
        &to_server(true, 0x8, b"\x03"),
        ProtocolError::InvalidClosePayload,
    );
    for code in [999u16, 1004, 1005, 1006, 1015, 1016, 2999, 5000] {
        assert_server_fails(
            &to_server(true, 0x8, &code.to_be_bytes()),
            ProtocolError::InvalidCloseCode(code),
        );
    }
    assert_server_fails(
        &to_server(true, 0x8, b"\x03\xe8\xff"),
        ProtocolError::InvalidCloseReason,
    );
}

#[test]
fn client_initiated_close_waits_for_the_server_fin_then_times_out() {
    let (mut conn, now) = client();
    conn.close(now, CloseCode::GOING_AWAY, "done").unwrap();
    assert_eq!(
        conn.close(now, CloseCode::NORMAL, ""),
        Err(SendError::Closed)
    );
    assert_eq!(conn.send_text("x"), Err(SendError::Closed));
    assert_eq!(take_output(&mut conn)[..2], [0x88, 0x86]);
    conn.receive(now, &close_from_server(1001, ""));
    assert!(!conn.wants_shutdown(), "the client never closes TCP first");
    let deadline = conn.poll_timeout().unwrap();
    assert_eq!(deadline, now + Duration::from_secs(10));
    conn.handle_timeout(now + Duration::from_millis(9999));
    assert_eq!(conn.state(), State::Closing);
    conn.handle_timeout(deadline);
    let closed = closed(&mut conn);
    assert_eq!(
        closed.cause,
        CloseCause::Clean {
            initiator: Initiator::Local
        }
    );
    assert_eq!(closed.code, CloseCode::GOING_AWAY);
    assert!(
        conn.wants_shutdown(),
        "once closed, either role closes its write half"
    );
}

/// Found by the simulation (`wsflow-sim --start 153 --seeds 1`): the peer's close frame
/// arrived with its last message; parsing stopped at the event limit, and once the
/// application took the message and called `close`, nothing parsed the buffered close frame
/// (an adapter's `close` only reads, and the peer, waiting for our FIN, sent nothing more):
/// the handshake ended by the close timeout.
#[test]
fn close_parses_the_peers_close_frame_already_buffered() {
    let now = Instant::now();
    let mut config = Config::default();
    config.max_pending_events = 1;
    let mut conn = Connection::new(Role::Server, config, now);
    let mut input = to_server(true, 0x2, b"last");
    input.extend(to_server(true, 0x8, b"\x03\xe8"));
    conn.receive(now, &input);
    assert!(matches!(conn.poll_event(), Some(Event::Message(_))));
    conn.close(now, CloseCode::NORMAL, "").unwrap();
    assert!(matches!(
        conn.poll_event(),
        Some(Event::CloseReceived(CloseFrame {
            code: CloseCode::NORMAL,
            ..
        }))
    ));
    take_output(&mut conn);
    assert!(conn.wants_shutdown(), "the handshake is complete");
    conn.receive_eof(now);
    // Our close frame went out before theirs was read: a simultaneous close, counted ours.
    assert_eq!(
        closed(&mut conn).cause,
        CloseCause::Clean {
            initiator: Initiator::Local
        }
    );
}

/// The peer's close frame held behind undelivered events (so the application may answer
/// them before our reply) is answered by our own close at once, not at the close timeout.
#[test]
fn close_answers_a_peers_close_held_behind_events() {
    let (mut conn, now) = server();
    let mut input = to_server(true, 0x2, b"last");
    input.extend(to_server(true, 0x8, b"\x03\xe8"));
    conn.receive(now, &input);
    conn.close(now, CloseCode::NORMAL, "").unwrap();
    take_output(&mut conn);
    assert!(conn.wants_shutdown(), "the handshake is complete");
    let got = events(&mut conn);
    assert!(matches!(
        got[..],
        [Event::Message(_), Event::CloseReceived(_)]
    ));
}

#[test]
fn close_without_an_answer_times_out_with_1006() {
    let (mut conn, now) = server();
    conn.close(now, CloseCode::NORMAL, "").unwrap();
    conn.handle_timeout(now + Duration::from_secs(10));
    let closed = closed(&mut conn);
    assert_eq!(closed.cause, CloseCause::Timeout);
    assert_eq!(closed.code, CloseCode::ABNORMAL);
    assert_eq!(
        conn.buffered_amount(),
        0,
        "output is dropped once the peer is given up on"
    );
}

#[test]
fn close_command_validation_changes_nothing() {
    let (mut conn, now) = server();
    assert_eq!(
        conn.close(now, CloseCode::ABNORMAL, ""),
        Err(SendError::InvalidCloseCode(1006))
    );
    let long = "x".repeat(124);
    assert_eq!(
        conn.close(now, CloseCode::NORMAL, &long),
        Err(SendError::CloseReasonTooLong(124))
    );
    assert_eq!(conn.state(), State::Open);
    assert_eq!(conn.buffered_amount(), 0);
    conn.close(now, CloseCode::NO_STATUS, "").unwrap();
    assert_eq!(take_output(&mut conn), [0x88, 0x00]);
}

#[test]
fn eof_in_every_state_reports_1006_with_the_cause() {
    let stream = to_server(true, 0x1, b"hello");
    for cut in 0..stream.len() {
        let (mut conn, now) = server();
        conn.receive(now, &stream[..cut]);
        conn.receive_eof(now);
        let closed = closed(&mut conn);
        assert_eq!(closed.code, CloseCode::ABNORMAL, "cut at {cut}");
        assert_eq!(closed.cause, CloseCause::Eof);
    }
    let (mut conn, now) = server();
    conn.receive(now, &to_server(false, 0x1, b"mid-message"));
    conn.receive_eof(now);
    assert_eq!(closed(&mut conn).cause, CloseCause::Eof);
    // After our close frame, before the answer.
    let (mut conn, now) = server();
    conn.close(now, CloseCode::NORMAL, "").unwrap();
    conn.receive_eof(now);
    assert_eq!(closed(&mut conn).cause, CloseCause::Eof);
    // Inputs after the end change nothing.
    conn.receive(now, b"more");
    conn.receive_eof(now);
    assert_eq!(conn.poll_event(), None);
}

#[test]
fn write_buffer_limit_refuses_data_but_not_close() {
    let now = Instant::now();
    let mut config = Config::default();
    config.write_buffer_limit = 1000;
    let mut conn = Connection::new(Role::Server, config, now);
    conn.send_binary(vec![0; 1200]).unwrap();
    assert_eq!(
        conn.send_binary(vec![0; 10]),
        Err(SendError::BufferFull {
            buffered: 1204,
            limit: 1000
        })
    );
    conn.close(now, CloseCode::NORMAL, "").unwrap();
}

#[test]
fn abort_reports_closed_and_drops_output() {
    let (mut conn, _) = server();
    conn.send_text("pending").unwrap();
    conn.abort();
    assert_eq!(conn.buffered_amount(), 0);
    assert_eq!(closed(&mut conn).cause, CloseCause::Aborted);
    assert_eq!(conn.state(), State::Closed);
}

#[test]
fn a_message_before_a_violation_is_answered_before_the_close_frame() {
    // Autobahn 3.2: a valid message, then a frame with RSV2, in one read. The application's
    // echo of the first message must precede the close frame (1002).
    let (mut conn, now) = server();
    let mut input = to_server(true, 0x1, b"Hello");
    input.extend(frame(true, 0x20, 0x1, b"bad", true));
    conn.receive(now, &input);
    assert_eq!(
        conn.state(),
        State::Open,
        "failure waits until the message is handled"
    );
    let Some(Event::Message(message)) = conn.poll_event() else {
        panic!("the first message must be delivered");
    };
    conn.send(message).unwrap();
    assert_eq!(conn.poll_event(), None);
    assert_eq!(conn.state(), State::Closing);
    let out = take_output(&mut conn);
    assert_eq!(out[..7], [0x81, 0x05, b'H', b'e', b'l', b'l', b'o']);
    assert_eq!(out[7..11], [0x88, out[8], 0x03, 0xea]);
    // An EOF while the failure is held back reports the failure, after the message.
    let (mut conn, now) = server();
    conn.receive(now, &input);
    conn.receive_eof(now);
    let got = events(&mut conn);
    assert!(matches!(got[0], Event::Message(_)));
    assert!(matches!(
        &got[1],
        Event::Closed(CloseReport {
            cause: CloseCause::ProtocolError(ProtocolError::ReservedBitsSet(2)),
            ..
        })
    ));
}

#[test]
fn a_violation_after_our_close_reports_the_errors_own_reason() {
    // Found by the conformance script 7.1-closing/protocol-error-after-our-close.ws: the
    // report paired the error's code (1002) with the reason of our earlier 1000 close frame.
    let (mut conn, now) = server();
    conn.close(now, CloseCode::NORMAL, "bye").unwrap();
    assert_eq!(
        take_output(&mut conn),
        [0x88, 0x05, 0x03, 0xe8, b'b', b'y', b'e']
    );
    conn.receive(now, &to_server(true, 0x4, b""));
    assert!(take_output(&mut conn).is_empty(), "no second close frame");
    conn.receive_eof(now);
    let closed = closed(&mut conn);
    assert_eq!(closed.code, CloseCode::PROTOCOL_ERROR);
    assert_eq!(
        closed.cause,
        CloseCause::ProtocolError(ProtocolError::UnknownOpcode(4))
    );
    assert_eq!(closed.reason, "unknown opcode 0x4");
}
