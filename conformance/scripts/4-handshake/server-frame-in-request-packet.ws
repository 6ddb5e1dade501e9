rfc: 4.2.2
title: A frame in the same read as the request head reaches the connection
role: server
requires: implementation-choice
handshake: on
peer sends http
| GET /chat HTTP/1.1
| Host: server.example.com
| Upgrade: websocket
| Connection: Upgrade
| Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==
| Sec-WebSocket-Version: 13
|
+ text "early"
expect sent http
| HTTP/1.1 101 Switching Protocols
| Upgrade: websocket
| Connection: Upgrade
| Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
expect handshake ok
expect event text "early"
