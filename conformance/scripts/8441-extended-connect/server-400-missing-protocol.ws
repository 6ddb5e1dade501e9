rfc: 8441
title: A CONNECT without :protocol is not a WebSocket: 400, and the stream ends
role: server
handshake: h2
# A plain CONNECT (RFC 9113 §8.5): h2 sends only :method and :authority.
peer sends http
| CONNECT /chat HTTP/2
| sec-websocket-version: 13
|
expect http status 400
expect handshake error invalid-protocol
expect shutdown
