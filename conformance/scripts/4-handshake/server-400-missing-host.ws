rfc: 4.2.1
title: A request without Host is refused with 400
role: server
handshake: on
peer sends http
| GET /chat HTTP/1.1
| Upgrade: websocket
| Connection: Upgrade
| Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==
| Sec-WebSocket-Version: 13
|
expect http status 400
expect handshake error invalid-host
expect shutdown
