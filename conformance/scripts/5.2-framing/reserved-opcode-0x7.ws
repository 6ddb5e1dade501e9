rfc: 5.2
title: Reserved non-control opcode 0x7 fails the connection with 1002
role: both
trailing: frame

peer sends opcode=7 "payload"
expect sent close 1002 any-reason
[server] expect shutdown
[client] expect no shutdown
expect no event
peer eof
expect event closed 1002 protocol-error unknown-opcode
