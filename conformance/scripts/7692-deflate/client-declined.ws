rfc: 7692
title: A server that declines leaves the connection uncompressed; RSV1 then fails it
role: client
handshake: on
deflate: on
trailing: frame
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
|
expect handshake ok
peer sends text rsv1 hex f2 48 cd c9 c9 07 00
expect sent close 1002 any-reason
expect no shutdown
expect no event
peer eof
expect event closed 1002 protocol-error reserved-bits
