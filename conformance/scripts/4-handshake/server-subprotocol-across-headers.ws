rfc: 4.2.2
title: Offers split over two Sec-WebSocket-Protocol headers are one list
role: server
handshake: on
subprotocols: b
peer sends http
| GET /chat HTTP/1.1
| Host: server.example.com
| Upgrade: websocket
| Connection: Upgrade
| Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==
| Sec-WebSocket-Version: 13
| Sec-WebSocket-Protocol: a
| Sec-WebSocket-Protocol: b
|
expect sent http
| HTTP/1.1 101 Switching Protocols
| Upgrade: websocket
| Connection: Upgrade
| Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
| Sec-WebSocket-Protocol: b
expect handshake ok subprotocol b
