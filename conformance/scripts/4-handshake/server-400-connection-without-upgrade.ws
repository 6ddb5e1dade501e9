rfc: 4.2.1
title: A Connection header without the upgrade token is refused with 400
role: server
requires: implementation-choice
handshake: on
peer sends http
| GET /chat HTTP/1.1
| Host: server.example.com
| Upgrade: websocket
| Connection: keep-alive
| Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==
| Sec-WebSocket-Version: 13
|
expect http status 400
expect handshake error invalid-connection
expect shutdown
