rfc: 1.3
title: The client sends the §1.3 request and accepts the matching 101, then frames flow
role: client
handshake: on
subprotocols: chat superchat
expect sent http
| GET /chat HTTP/1.1
| Host: server.example.com
| Upgrade: websocket
| Connection: Upgrade
| Sec-WebSocket-Key: {key}
| Sec-WebSocket-Protocol: chat, superchat
| Sec-WebSocket-Version: 13
peer sends http
| HTTP/1.1 101 Switching Protocols
| Upgrade: websocket
| Connection: Upgrade
| Sec-WebSocket-Accept: {accept}
| Sec-WebSocket-Protocol: chat
|
expect handshake ok subprotocol chat
peer sends text "Hello"
expect event text "Hello"
app send text "Hi"
expect sent text "Hi"
