rfc: 8441
title: An extended CONNECT for another protocol than websocket is refused with 400
role: server
handshake: h2
peer sends http
| CONNECT /chat HTTP/2
| :protocol: not-websocket
| sec-websocket-version: 13
|
expect http status 400
expect handshake error invalid-protocol
expect shutdown
