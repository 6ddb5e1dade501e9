rfc: 4.1
title: EOF before the response head ends fails the handshake
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
peer eof
expect handshake error eof
