rfc: 7.1.1
title: After a protocol failure the connection ends at the close timeout if the peer never closes
role: both

peer sends opcode=0x5 empty
expect sent close 1002 any-reason
advance 10 s
expect event closed 1002 protocol-error unknown-opcode
