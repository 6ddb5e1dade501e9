rfc: 8441
title: The client offers permessage-deflate in the extended CONNECT and compresses once the 200 accepts it
role: client
handshake: h2
deflate: threshold=0
expect sent http
| CONNECT /chat HTTP/2
| :authority: server.example.com
| :scheme: http
| :protocol: websocket
| sec-websocket-version: 13
| sec-websocket-extensions: permessage-deflate; client_max_window_bits
peer sends http
| HTTP/2 200
| sec-websocket-extensions: permessage-deflate
|
expect handshake ok
app send text "Hello"
expect sent text rsv1 hex f2 48 cd c9 c9 07 00
