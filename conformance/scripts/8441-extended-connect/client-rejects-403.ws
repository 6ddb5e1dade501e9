rfc: 8441
title: A refusal (403) fails the client's handshake
role: client
handshake: h2
expect sent http
| CONNECT /chat HTTP/2
| :authority: server.example.com
| :scheme: http
| :protocol: websocket
| sec-websocket-version: 13
peer sends http
| HTTP/2 403
|
expect handshake error unexpected-status
