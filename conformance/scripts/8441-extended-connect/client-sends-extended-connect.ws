rfc: 8441
title: The client's extended CONNECT has :protocol websocket and sec-websocket-version 13, no key, Upgrade or Connection; a 200 opens the WebSocket and frames flow
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
|
expect handshake ok
app send text "Hello"
expect sent text "Hello"
peer sends text "back"
expect event text "back"
app close 1000
expect sent close 1000
peer sends close 1000
expect event close-received 1000
expect no shutdown
peer eof
expect event closed 1000 clean-local
