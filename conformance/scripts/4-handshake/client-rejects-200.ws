rfc: 4.1
title: A status other than 101 fails the handshake
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
| HTTP/1.1 200 OK
| Content-Length: 0
|
expect handshake error unexpected-status
