rfc: 4.1
title: A 403 refusal fails the handshake
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
| HTTP/1.1 403 Forbidden
| Content-Length: 2
| Connection: close
|
expect handshake error unexpected-status
