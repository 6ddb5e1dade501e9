rfc: 4.1
title: The client accepts a 101 with the right accept value and no subprotocol
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
|
expect handshake ok
peer sends ping "x"
expect event ping "x"
expect sent pong "x"
