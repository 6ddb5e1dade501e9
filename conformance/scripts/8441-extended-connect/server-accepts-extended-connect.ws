rfc: 8441
title: An extended CONNECT with :protocol websocket is answered 200 without Sec-WebSocket-Accept, Upgrade or Connection; frames then flow on the stream and the close handshake ends it with END_STREAM
role: server
handshake: h2
# RFC 8441 §5: no Sec-WebSocket-Key / Sec-WebSocket-Accept, and §4: a 2xx answer opens it.
peer sends http
| CONNECT /chat HTTP/2
| :authority: server.example.com
| :scheme: https
| :protocol: websocket
| sec-websocket-version: 13
| origin: http://www.example.com
|
expect sent http
| HTTP/2 200
expect handshake ok
peer sends text "Hello"
expect event text "Hello"
app send text "over HTTP/2"
expect sent text "over HTTP/2"
peer sends close 1000
expect event close-received 1000
expect sent close 1000
expect shutdown
peer eof
expect event closed 1000 clean-remote
