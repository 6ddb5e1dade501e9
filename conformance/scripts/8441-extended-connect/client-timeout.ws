rfc: 8441
title: No answer to the extended CONNECT within 10 s fails the handshake with a timeout
role: client
handshake: h2
expect sent http
| CONNECT /chat HTTP/2
| :authority: server.example.com
| :scheme: http
| :protocol: websocket
| sec-websocket-version: 13
advance 9 s
expect no event
advance 1 s
expect handshake error timeout
