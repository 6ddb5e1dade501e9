rfc: 4.2.1
title: An Upgrade header without the websocket token is refused with 400
role: server
requires: implementation-choice
handshake: on
peer sends http
| GET /chat HTTP/1.1
| Host: server.example.com
| Upgrade: h2c
| Connection: Upgrade
| Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==
| Sec-WebSocket-Version: 13
|
expect http status 400
expect handshake error invalid-upgrade
expect shutdown
