rfc: 7692
title: A server configured with client_max_window_bits=9 answers it when the client offered the parameter
role: server
handshake: on
deflate: client_max_window_bits=9
peer sends http
| GET /chat HTTP/1.1
| Host: server.example.com
| Upgrade: websocket
| Connection: Upgrade
| Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==
| Sec-WebSocket-Version: 13
| Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits
|
expect sent http
| HTTP/1.1 101 Switching Protocols
| Upgrade: websocket
| Connection: Upgrade
| Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
| Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=9
expect handshake ok
