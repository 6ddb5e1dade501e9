rfc: 5.5.2
title: A pong with another payload does not answer the keepalive ping
role: both
config: keepalive=20s/5s
advance 20 s
expect sent ping hex 00 00 00 01
peer sends pong hex 00 00 00 09
expect event pong hex 00 00 00 09
advance 5 s
expect sent close 1011 any-reason
peer eof
expect event closed 1011 protocol-error keepalive-timeout
