rfc: 5.2
title: Reserved control opcode 0xB fails the connection with 1002
role: both
trailing: frame

peer sends opcode=11 empty
expect sent close 1002 any-reason
[server] expect shutdown
[client] expect no shutdown
expect no event
peer eof
expect event closed 1002 protocol-error unknown-opcode
