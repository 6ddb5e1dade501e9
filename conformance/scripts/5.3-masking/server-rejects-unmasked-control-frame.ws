rfc: 5.3
title: An unmasked ping to a server is a protocol error too; it is not answered
role: server
trailing: frame
peer sends ping unmasked "p"
expect sent close 1002 any-reason
expect shutdown
peer eof
expect event closed 1002 protocol-error unmasked-frame
