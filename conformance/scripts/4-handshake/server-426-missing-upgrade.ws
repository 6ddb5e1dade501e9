rfc: 4.2.1
title: A plain HTTP request (no Upgrade) gets 426 saying Upgrade: websocket
role: server
requires: implementation-choice
handshake: on
peer sends http
| GET /chat HTTP/1.1
| Host: server.example.com
| Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==
| Sec-WebSocket-Version: 13
|
expect sent http
| HTTP/1.1 426 Upgrade Required
| Upgrade: websocket
| Connection: Upgrade, close
| Sec-WebSocket-Version: 13
| Content-Type: text/plain; charset=utf-8
| Content-Length: *
expect handshake error missing-upgrade
expect shutdown
