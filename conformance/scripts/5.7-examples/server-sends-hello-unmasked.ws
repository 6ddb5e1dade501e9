rfc: 5.7
title: A server sends "Hello" as the RFC's unmasked single frame
role: server
app send text "Hello"
expect sent raw hex 81 05 48 65 6c 6c 6f
