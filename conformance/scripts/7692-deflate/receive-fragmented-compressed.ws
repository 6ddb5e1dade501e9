rfc: 7692
title: RFC 7692 §7.2.3.3 style: a compressed message split over two frames, RSV1 on the first only
role: server
handshake: on
deflate: on
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
peer sends text rsv1 nofin hex f2 48 cd
peer sends cont hex c9 c9 07 00
expect event text "Hello"
