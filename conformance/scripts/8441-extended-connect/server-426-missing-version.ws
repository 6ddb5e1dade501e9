rfc: 8441
title: An extended CONNECT without sec-websocket-version is refused with 426, as over HTTP/1.1
role: server
handshake: h2
peer sends http
| CONNECT /chat HTTP/2
| :protocol: websocket
|
expect http status 426
expect handshake error unsupported-version
expect shutdown
