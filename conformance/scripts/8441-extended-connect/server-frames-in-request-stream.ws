rfc: 8441
title: Frames that follow the extended CONNECT on its stream, before the 200 is read, are not lost
role: server
handshake: h2
peer sends http
| CONNECT /chat HTTP/2
| :protocol: websocket
| sec-websocket-version: 13
|
+ text "early"
+ ping "p"
expect sent http
| HTTP/2 200
expect handshake ok
expect event text "early"
expect event ping "p"
expect sent pong "p"
