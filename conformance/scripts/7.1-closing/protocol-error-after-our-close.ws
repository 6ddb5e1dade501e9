rfc: 7.1.7
title: A protocol error while waiting for the peer's close fails the connection; no second close frame is sent
role: both
app close 1000
expect sent close 1000
peer sends opcode=0x4 empty
expect no output
[server] expect shutdown
peer eof
expect event closed 1002 protocol-error unknown-opcode
