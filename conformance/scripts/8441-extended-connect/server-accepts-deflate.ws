rfc: 8441
title: permessage-deflate is negotiated in the extended CONNECT's fields, and compressed frames then flow on the stream
role: server
handshake: h2
deflate: threshold=0
peer sends http
| CONNECT /chat HTTP/2
| :protocol: websocket
| sec-websocket-version: 13
| sec-websocket-extensions: permessage-deflate; client_max_window_bits
|
expect sent http
| HTTP/2 200
| sec-websocket-extensions: permessage-deflate
expect handshake ok
# RFC 7692 §7.2.3.1: "Hello" compressed.
peer sends text rsv1 hex f2 48 cd c9 c9 07 00
expect event text "Hello"
app send text "Hello"
expect sent text rsv1 hex f2 48 cd c9 c9 07 00
