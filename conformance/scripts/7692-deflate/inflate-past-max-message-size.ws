rfc: 7692
title: A small compressed message inflating past max_message_size fails with 1009
role: server
handshake: on
deflate: on
config: max_message_size=1000
trailing: frame
peer sends http
| GET /chat HTTP/1.1
| Host: server.example.com
| Upgrade: websocket
| Connection: Upgrade
| Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==
| Sec-WebSocket-Version: 13
| Sec-WebSocket-Extensions: permessage-deflate
|
expect sent http
| HTTP/1.1 101 Switching Protocols
| Upgrade: websocket
| Connection: Upgrade
| Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
| Sec-WebSocket-Extensions: permessage-deflate
expect handshake ok
peer sends binary rsv1 hex ec c1 31 01 00 00 00 c2 a0 f5 4f 6d 0c 1f a0 00 00 00 80 b7 01
expect sent close 1009 any-reason
expect shutdown
expect no event
peer eof
expect event closed 1009 protocol-error message-too-large
