rfc: 5.2
title: All three reserved bits set fail the connection with 1002
role: both
trailing: frame

peer sends binary rsv1 rsv2 rsv3 empty
expect sent close 1002 any-reason
[server] expect shutdown
[client] expect no shutdown
expect no event
peer eof
expect event closed 1002 protocol-error reserved-bits
