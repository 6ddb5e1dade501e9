rfc: 4.2.1
title: Two Sec-WebSocket-Key headers are refused with 400
role: server
handshake: on
peer sends http
| GET /chat HTTP/1.1
| Host: server.example.com
| Upgrade: websocket
| Connection: Upgrade
| Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==
| Sec-WebSocket-Version: 13
| Sec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4PEA==
|
expect http status 400
expect handshake error invalid-key
expect shutdown
