rfc: 4.2.1
title: Header names and the upgrade and connection tokens are case-insensitive; Connection may list other tokens
role: server
handshake: on
peer sends http
| GET /chat HTTP/1.1
| host: server.example.com
| upgrade: WebSocket
| connection: keep-alive, Upgrade
| sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==
| sec-websocket-version: 13
|
expect sent http
| HTTP/1.1 101 Switching Protocols
| Upgrade: websocket
| Connection: Upgrade
| Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
expect handshake ok
