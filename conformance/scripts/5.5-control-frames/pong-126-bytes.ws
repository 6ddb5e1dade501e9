rfc: 5.5
title: A pong with 126 bytes fails with 1002
role: both
trailing: frame
peer sends pong repeat 126 0x00
expect sent close 1002 any-reason
expect no event
peer eof
expect event closed 1002 protocol-error control-too-large
