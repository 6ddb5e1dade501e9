rfc: 5.2
title: A reserved bit on a control frame fails the connection; no pong is sent
role: both
trailing: frame

peer sends ping rsv1 "p"
expect sent close 1002 any-reason
[server] expect shutdown
[client] expect no shutdown
expect no event
peer eof
expect event closed 1002 protocol-error reserved-bits
