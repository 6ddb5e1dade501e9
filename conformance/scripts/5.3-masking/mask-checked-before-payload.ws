rfc: 5.3
title: The mask bit is judged from the first two header bytes, before the rest of the header
role: server
requires: fail-fast
trailing: frame
peer sends text unmasked repeat 300 "x" cut-header 2
expect sent close 1002 any-reason
expect shutdown
peer eof
expect event closed 1002 protocol-error unmasked-frame
