rfc: 7692
title: client_max_window_bits=16 in the answer is out of range: the handshake fails
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
| Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=16
|
expect handshake error invalid-deflate-response
