rfc: 7.4
title: A close frame with code 65535 (above the defined range) fails the connection with 1002
role: both
trailing: frame
peer sends close 65535
expect sent close 1002 any-reason
expect no event
[server] expect shutdown
peer eof
expect event closed 1002 protocol-error invalid-close-code
