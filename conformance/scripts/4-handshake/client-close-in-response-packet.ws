rfc: 4.1
title: A close frame right behind the 101 head is answered after the handshake
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
+ close 1001 "bye"
expect handshake ok
expect event close-received 1001 "bye"
expect sent close 1001
[client] peer eof
expect event closed 1001 clean-remote
