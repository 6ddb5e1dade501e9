rfc: 8441
title: The application's refusal is sent as given (403) and ends the stream
role: server
handshake: h2
reject: 403
peer sends http
| CONNECT /chat HTTP/2
| :protocol: websocket
| sec-websocket-version: 13
|
expect sent http
| HTTP/2 403
expect handshake error rejected
expect shutdown
