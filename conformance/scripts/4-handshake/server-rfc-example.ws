rfc: 1.3
title: The server answers the RFC 6455 §1.3 request with the §1.3 response, then frames flow
role: server
handshake: on
subprotocols: chat
peer sends http
| GET /chat HTTP/1.1
| Host: server.example.com
| Upgrade: websocket
| Connection: Upgrade
| Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==
| Origin: http://example.com
| Sec-WebSocket-Protocol: chat, superchat
| Sec-WebSocket-Version: 13
|
expect sent http
| HTTP/1.1 101 Switching Protocols
| Upgrade: websocket
| Connection: Upgrade
| Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
| Sec-WebSocket-Protocol: chat
expect handshake ok subprotocol chat
peer sends text "Hello"
expect event text "Hello"
app send text "Hi"
expect sent text "Hi"
