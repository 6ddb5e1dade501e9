rfc: 8441
title: The client offers its subprotocols in the extended CONNECT and accepts the one chosen
role: client
handshake: h2
subprotocols: chat superchat
expect sent http
| CONNECT /chat HTTP/2
| :authority: server.example.com
| :scheme: http
| :protocol: websocket
| sec-websocket-version: 13
| sec-websocket-protocol: chat, superchat
peer sends http
| HTTP/2 200
| sec-websocket-protocol: superchat
|
expect handshake ok subprotocol superchat
