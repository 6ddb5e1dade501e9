rfc: 7692
title: RFC 7692 §7.2.3.6: an empty compressed message (a single 00 byte) is an empty message
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
peer sends text rsv1 hex 00
expect event text empty
