rfc: 4.1
title: A subprotocol the client did not offer fails the handshake
role: client
handshake: on
subprotocols: chat
expect sent http
| GET /chat HTTP/1.1
| Host: server.example.com
| Upgrade: websocket
| Connection: Upgrade
| Sec-WebSocket-Key: {key}
| Sec-WebSocket-Version: 13
| Sec-WebSocket-Protocol: chat
peer sends http
| HTTP/1.1 101 Switching Protocols
| Upgrade: websocket
| Connection: Upgrade
| Sec-WebSocket-Accept: {accept}
| Sec-WebSocket-Protocol: superchat
|
expect handshake error unexpected-subprotocol
