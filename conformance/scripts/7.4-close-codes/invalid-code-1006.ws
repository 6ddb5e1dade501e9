rfc: 7.4
title: A close frame with code 1006 (reserved: only ever reported, never sent) fails the connection with 1002
role: both
trailing: frame
peer sends close 1006
expect sent close 1002 any-reason
expect no event
[server] expect shutdown
peer eof
expect event closed 1002 protocol-error invalid-close-code
