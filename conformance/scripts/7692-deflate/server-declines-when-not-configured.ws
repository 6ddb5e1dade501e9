rfc: 7692
title: Without deflate configured the server answers no extension, and RSV1 then fails the connection
role: server
requires: server-config
handshake: on
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
expect handshake ok
peer sends text rsv1 hex f2 48 cd c9 c9 07 00
expect sent close 1002 any-reason
expect shutdown
expect no event
peer eof
expect event closed 1002 protocol-error reserved-bits
