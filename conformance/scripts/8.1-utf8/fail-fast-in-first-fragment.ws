rfc: 8.1
title: Invalid UTF-8 in a first fragment fails the connection before the message is complete
role: both
requires: fail-fast
trailing: frame
peer sends text nofin "ab\xffcd"
expect sent close 1007 any-reason
expect no event
[server] expect shutdown
peer eof
expect event closed 1007 protocol-error invalid-utf8
