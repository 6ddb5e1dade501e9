rfc: 4.2.1
title: An HTTP/1.0 request is refused with 505
role: server
requires: implementation-choice
handshake: on
peer sends http
| GET /chat HTTP/1.0
| Host: server.example.com
| Upgrade: websocket
| Connection: Upgrade
| Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==
| Sec-WebSocket-Version: 13
|
expect http status 505
expect handshake error unsupported-http-version
expect shutdown
