rfc: 4.2.1
title: A Sec-WebSocket-Key that is not base64 of 16 bytes is refused with 400
role: server
handshake: on
peer sends http
| GET /chat HTTP/1.1
| Host: server.example.com
| Upgrade: websocket
| Connection: Upgrade
| Sec-WebSocket-Key: c2hvcnQ=
| Sec-WebSocket-Version: 13
|
expect http status 400
expect handshake error invalid-key
expect shutdown
