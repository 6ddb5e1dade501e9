rfc: 4.2.1
title: A POST is refused with 405 and the connection is not opened
role: server
requires: implementation-choice
handshake: on
peer sends http
| POST /chat HTTP/1.1
| Host: server.example.com
| Upgrade: websocket
| Connection: Upgrade
| Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==
| Sec-WebSocket-Version: 13
|
expect http status 405
expect handshake error method-not-allowed
expect shutdown
