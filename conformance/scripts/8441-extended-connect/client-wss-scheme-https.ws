rfc: 8441
title: A wss URL is requested with :scheme https (RFC 8441 §4 and §5: the scheme of the target, not ws/wss) and its path and query as :path
role: client
handshake: h2
url: wss://server.example.com/chat?room=1
expect sent http
| CONNECT /chat?room=1 HTTP/2
| :authority: server.example.com
| :scheme: https
| :protocol: websocket
| sec-websocket-version: 13
peer sends http
| HTTP/2 200
|
expect handshake ok
