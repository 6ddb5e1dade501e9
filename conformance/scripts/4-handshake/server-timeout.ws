rfc: 4.2.1
title: A request head that never completes times out after 10 s with 408
role: server
handshake: on
peer sends http
| GET /chat HTTP/1.1
| Host: server.example.com
| Upgrade: websocket
advance 9 s
expect no output
advance 1 s
expect http status 408
expect handshake error timeout
expect shutdown
