rfc: 7692
title: A client configured with both window sizes offers them with values
role: client
handshake: on
deflate: server_max_window_bits=10 client_max_window_bits=9
expect sent http
| GET /chat HTTP/1.1
| Host: server.example.com
| Upgrade: websocket
| Connection: Upgrade
| Sec-WebSocket-Key: {key}
| Sec-WebSocket-Version: 13
| Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=10; client_max_window_bits=9, permessage-deflate; client_max_window_bits=9
peer sends http
| HTTP/1.1 101 Switching Protocols
| Upgrade: websocket
| Connection: Upgrade
| Sec-WebSocket-Accept: {accept}
| Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=10; client_max_window_bits=9
|
expect handshake ok
