rfc: 4.2.2
title: Two frames after the request head, in the same read, both arrive in order
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
+ text nofin "ear"
+ cont "ly"
+ ping "p"
expect sent http
| HTTP/1.1 101 Switching Protocols
| Upgrade: websocket
| Connection: Upgrade
| Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
expect handshake ok
expect event text "early"
expect event ping "p"
expect sent pong "p"
