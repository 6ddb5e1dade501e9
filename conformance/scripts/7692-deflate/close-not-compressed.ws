rfc: 7692
title: Close frames are never compressed
role: server
handshake: on
deflate: threshold=0
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
app close 1000 "bye"
expect sent close 1000 "bye"
peer sends close 1000
expect event close-received 1000
expect shutdown
peer eof
expect event closed 1000 clean-local
