rfc: 4.1
title: No response within 10 s fails the handshake with a timeout
role: client
handshake: on
expect sent http
| GET /chat HTTP/1.1
| Host: server.example.com
| Upgrade: websocket
| Connection: Upgrade
| Sec-WebSocket-Key: {key}
| Sec-WebSocket-Version: 13
advance 9 s
expect no event
advance 1 s
expect handshake error timeout
