rfc: 8441
title: A 200 agreeing to permessage-deflate the client did not offer fails the handshake
role: client
handshake: h2
expect sent http
| CONNECT /chat HTTP/2
| :authority: server.example.com
| :scheme: http
| :protocol: websocket
| sec-websocket-version: 13
peer sends http
| HTTP/2 200
| sec-websocket-extensions: permessage-deflate
|
expect handshake error unexpected-extension
