rfc: 5.5.2
title: Anything from the peer postpones the keepalive ping
role: both
config: keepalive=20s/5s
advance 15 s
peer sends text "hi"
expect event text "hi"
advance 19999 ms
expect no output
advance 1 ms
expect sent ping hex 00 00 00 01
