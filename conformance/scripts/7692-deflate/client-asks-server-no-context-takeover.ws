rfc: 7692
title: A client configured with server_no_context_takeover asks for it and offers a fallback
role: client
handshake: on
deflate: server_no_context_takeover
expect sent http
| GET /chat HTTP/1.1
| Host: server.example.com
| Upgrade: websocket
| Connection: Upgrade
| Sec-WebSocket-Key: {key}
| Sec-WebSocket-Version: 13
| Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_max_window_bits, permessage-deflate; client_max_window_bits
peer sends http
| HTTP/1.1 101 Switching Protocols
| Upgrade: websocket
| Connection: Upgrade
| Sec-WebSocket-Accept: {accept}
| Sec-WebSocket-Extensions: permessage-deflate
|
expect handshake ok
