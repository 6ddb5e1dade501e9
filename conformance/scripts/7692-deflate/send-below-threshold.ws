rfc: 7692
title: A message below the threshold goes out uncompressed, without RSV1
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
| Sec-WebSocket-Extensions: permessage-deflate
|
expect sent http
| HTTP/1.1 101 Switching Protocols
| Upgrade: websocket
| Connection: Upgrade
| Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
| Sec-WebSocket-Extensions: permessage-deflate
expect handshake ok
app send text "Hello"
expect sent text "Hello"
