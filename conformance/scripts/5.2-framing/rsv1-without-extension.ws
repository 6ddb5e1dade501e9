rfc: 5.2
title: RSV1 set with no extension negotiated fails the connection with 1002
role: both
trailing: frame

peer sends text rsv1 "Hello"
expect sent close 1002 any-reason
[server] expect shutdown
[client] expect no shutdown
expect no event
peer eof
expect event closed 1002 protocol-error reserved-bits
