rfc: 8441
title: A version other than 13 is refused with 426 carrying sec-websocket-version 13, as over HTTP/1.1 (no Connection field: HTTP/2 forbids it)
role: server
handshake: h2
peer sends http
| CONNECT /chat HTTP/2
| :protocol: websocket
| sec-websocket-version: 8
|
expect sent http
| HTTP/2 426
| sec-websocket-version: 13
| content-type: text/plain; charset=utf-8
expect handshake error unsupported-version
expect shutdown
