rfc: 4.1
title: permessage-deflate in the answer to a request without it fails the handshake
role: client
handshake: on
expect sent http
| GET /chat HTTP/1.1
| Host: server.example.com
| Upgrade: websocket
| Connection: Upgrade
| Sec-WebSocket-Key: {key}
| Sec-WebSocket-Version: 13
peer sends http
| HTTP/1.1 101 Switching Protocols
| Upgrade: websocket
| Connection: Upgrade
| Sec-WebSocket-Accept: {accept}
| Sec-WebSocket-Extensions: permessage-deflate
|
expect handshake error unexpected-extension
