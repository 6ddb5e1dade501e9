rfc: 8441
title: A GET on an HTTP/2 WebSocket endpoint is refused with 405 and Allow CONNECT (the method a WebSocket needs over HTTP/2)
role: server
handshake: h2
peer sends http
| GET /chat HTTP/2
| sec-websocket-version: 13
|
expect sent http
| HTTP/2 405
| allow: CONNECT
| content-type: text/plain; charset=utf-8
expect handshake error method-not-allowed
expect shutdown
