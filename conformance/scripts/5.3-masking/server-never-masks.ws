rfc: 5.3
title: A server sends every frame unmasked
role: server
app send text "Hello"
expect sent raw hex 81 05 48 65 6c 6c 6f
app ping "p"
expect sent raw hex 89 01 70
