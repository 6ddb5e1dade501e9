rfc: 5.2
title: A reserved bit fails the connection as soon as the header is complete, before the payload arrives
role: both
requires: fail-fast
trailing: frame

peer sends binary rsv2 repeat 300 0x00 cut-payload 0
expect sent close 1002 any-reason
[server] expect shutdown
[client] expect no shutdown
expect no event
peer eof
expect event closed 1002 protocol-error reserved-bits
