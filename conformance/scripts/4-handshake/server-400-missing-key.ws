rfc: 4.2.1
title: A request without Sec-WebSocket-Key is refused with 400
role: server
handshake: on
peer sends http
| GET /chat HTTP/1.1
| Host: server.example.com
| Upgrade: websocket
| Connection: Upgrade
| Sec-WebSocket-Version: 13
|
expect http status 400
expect handshake error invalid-key
expect shutdown
