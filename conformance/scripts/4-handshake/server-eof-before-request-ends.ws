rfc: 4.2.1
title: EOF in the middle of the request head fails the handshake; nothing is answered
role: server
handshake: on
peer sends http
| GET /chat HTTP/1.1
| Host: server.example.com
| Upgrade: websocket
peer eof
expect handshake error eof
expect no output
