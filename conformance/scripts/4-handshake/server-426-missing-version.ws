rfc: 4.4
title: A request without Sec-WebSocket-Version is refused with 426
role: server
requires: implementation-choice
handshake: on
peer sends http
| GET /chat HTTP/1.1
| Host: server.example.com
| Upgrade: websocket
| Connection: Upgrade
| Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==
|
expect http status 426
expect handshake error unsupported-version
expect shutdown
