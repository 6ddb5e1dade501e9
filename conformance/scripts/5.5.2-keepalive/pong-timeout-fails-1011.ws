rfc: 5.5.2
title: No pong within keepalive.timeout fails the connection with 1011
role: both
config: keepalive=20s/5s
advance 20 s
expect sent ping hex 00 00 00 01
advance 4999 ms
expect no output
advance 1 ms
expect sent close 1011 any-reason
[server] expect shutdown
peer eof
expect event closed 1011 protocol-error keepalive-timeout
