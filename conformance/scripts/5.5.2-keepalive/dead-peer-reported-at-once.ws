rfc: 5.5.2
title: A peer that does not answer the keepalive ping is reported at once, without waiting a close timeout for it
role: both
config: keepalive=20s/5s close_timeout=30s
advance 20 s
expect sent ping hex 00 00 00 01
advance 5 s
expect sent close 1011 any-reason
expect shutdown
expect event closed 1011 protocol-error keepalive-timeout
