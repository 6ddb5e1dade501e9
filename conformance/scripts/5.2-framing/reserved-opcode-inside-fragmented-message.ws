rfc: 5.2
title: A reserved opcode between the fragments of a message fails the connection; the partial message is never delivered
role: both
trailing: frame
peer sends text nofin "part one "
expect no event
peer sends opcode=0x3 empty
expect sent close 1002 any-reason
peer eof
expect event closed 1002 protocol-error unknown-opcode
