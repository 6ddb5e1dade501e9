rfc: 7692
title: client_no_context_takeover offered by the client is echoed
role: server
handshake: on
deflate: on
peer sends http
| GET /chat HTTP/1.1
| Host: server.example.com
| Upgrade: websocket
| Connection: Upgrade
| Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==
| Sec-WebSocket-Version: 13
| Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover
|
expect sent http
| HTTP/1.1 101 Switching Protocols
| Upgrade: websocket
| Connection: Upgrade
| Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
| Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover
expect handshake ok
