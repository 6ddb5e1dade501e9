rfc: 8.1
title: Invalid UTF-8 in a continuation fails the connection before the final fragment
role: both
requires: fail-fast
trailing: frame
peer sends text nofin "fine so far, "
peer sends cont nofin "then \xf8 garbage"
expect sent close 1007 any-reason
expect no event
[server] expect shutdown
peer eof
expect event closed 1007 protocol-error invalid-utf8
