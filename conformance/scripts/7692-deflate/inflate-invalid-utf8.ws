rfc: 7692
title: A compressed text message that inflates to invalid UTF-8 fails with 1007
role: server
handshake: on
deflate: on
trailing: frame
peer sends http
| GET /chat HTTP/1.1
| Host: server.example.com
| Upgrade: websocket
| Connection: Upgrade
| Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==
| Sec-WebSocket-Version: 13
| Sec-WebSocket-Extensions: permessage-deflate
|
expect sent http
| HTTP/1.1 101 Switching Protocols
| Upgrade: websocket
| Connection: Upgrade
| Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
| Sec-WebSocket-Extensions: permessage-deflate
expect handshake ok
peer sends text rsv1 hex fa 0f 00
expect sent close 1007 any-reason
expect shutdown
expect no event
peer eof
expect event closed 1007 protocol-error invalid-utf8
