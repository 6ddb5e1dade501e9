rfc: 5.5.2
title: After keepalive.interval of silence from the peer, a ping is sent
role: both
config: keepalive=20s/5s
advance 19999 ms
expect no output
advance 1 ms
expect sent ping hex 00 00 00 01
