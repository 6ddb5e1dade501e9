rfc: 4.4
title: A version other than 13 is refused with 426 carrying Sec-WebSocket-Version: 13
role: server
handshake: on
peer sends http
| GET /chat HTTP/1.1
| Host: server.example.com
| Upgrade: websocket
| Connection: Upgrade
| Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==
| Sec-WebSocket-Version: 8
|
expect sent http
| HTTP/1.1 426 Upgrade Required
| Sec-WebSocket-Version: 13
| Content-Type: text/plain; charset=utf-8
| Content-Length: *
| Connection: close
expect handshake error unsupported-version
expect shutdown
