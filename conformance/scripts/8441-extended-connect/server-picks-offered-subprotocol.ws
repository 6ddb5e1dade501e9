rfc: 8441
title: Over HTTP/2 the server picks the first offered subprotocol it supports, as over HTTP/1.1
role: server
handshake: h2
subprotocols: chat
peer sends http
| CONNECT /chat HTTP/2
| :protocol: websocket
| sec-websocket-version: 13
| sec-websocket-protocol: superchat, chat
|
expect sent http
| HTTP/2 200
| sec-websocket-protocol: chat
expect handshake ok subprotocol chat
