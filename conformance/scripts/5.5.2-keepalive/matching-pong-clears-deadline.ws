rfc: 5.5.2
title: The matching pong answers the keepalive ping; the next ping follows interval after it
role: both
config: keepalive=20s/5s
advance 20 s
expect sent ping hex 00 00 00 01
advance 2 s
peer sends pong hex 00 00 00 01
expect event pong hex 00 00 00 01
advance 19999 ms
expect no output
expect no event
advance 1 ms
expect sent ping hex 00 00 00 02
