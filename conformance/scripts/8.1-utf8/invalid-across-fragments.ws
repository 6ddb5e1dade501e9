rfc: 8.1
title: A lead byte in one fragment followed by a non-continuation byte in the next fails with 1007
role: both
trailing: frame
peer sends text nofin "\xce"
peer sends cont "A"
expect sent close 1007 any-reason
expect no event
[server] expect shutdown
peer eof
expect event closed 1007 protocol-error invalid-utf8
