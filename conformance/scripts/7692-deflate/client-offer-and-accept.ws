rfc: 7692
title: The client offers deflate with client_max_window_bits and accepts a plain answer
role: client
handshake: on
deflate: on
expect sent http
| GET /chat HTTP/1.1
| Host: server.example.com
| Upgrade: websocket
| Connection: Upgrade
| Sec-WebSocket-Key: {key}
| Sec-WebSocket-Version: 13
| Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits
peer sends http
| HTTP/1.1 101 Switching Protocols
| Upgrade: websocket
| Connection: Upgrade
| Sec-WebSocket-Accept: {accept}
| Sec-WebSocket-Extensions: permessage-deflate
|
expect handshake ok
peer sends text rsv1 hex f2 48 cd c9 c9 07 00
expect event text "Hello"
