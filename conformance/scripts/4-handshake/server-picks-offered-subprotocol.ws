rfc: 4.2.2
title: The chosen subprotocol is echoed in Sec-WebSocket-Protocol
role: server
handshake: on
subprotocols: v2.json
peer sends http
| GET /chat HTTP/1.1
| Host: server.example.com
| Upgrade: websocket
| Connection: Upgrade
| Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==
| Sec-WebSocket-Version: 13
| Sec-WebSocket-Protocol: v1.json, v2.json
|
expect sent http
| HTTP/1.1 101 Switching Protocols
| Upgrade: websocket
| Connection: Upgrade
| Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
| Sec-WebSocket-Protocol: v2.json
expect handshake ok subprotocol v2.json
