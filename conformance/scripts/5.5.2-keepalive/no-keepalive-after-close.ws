rfc: 5.5.2
title: Once the close handshake has started no keepalive ping is sent; the close timeout governs
role: both
config: keepalive=20s/5s
app close 1000
expect sent close 1000
advance 9999 ms
expect no output
advance 1 ms
expect event closed 1006 timeout
advance 60 s
expect no output
