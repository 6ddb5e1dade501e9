rfc: 7.1.7
title: A server that fails the connection shuts TCP down right after its close frame, without waiting for the client's
role: server
trailing: frame
peer sends binary rsv3 empty
expect sent close 1002 any-reason
expect shutdown
peer eof
expect event closed 1002 protocol-error reserved-bits
