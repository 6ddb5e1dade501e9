rfc: 7692
title: An answer with client_no_context_takeover makes the client compress each message alone
role: client
handshake: on
deflate: threshold=0
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
| Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover
|
expect handshake ok
app send text "Hello"
expect sent text rsv1 hex f2 48 cd c9 c9 07 00
app send text "Hello"
expect sent text rsv1 hex f2 48 cd c9 c9 07 00
