rfc: 8.1
title: Invalid UTF-8 fails the connection as soon as the offending byte arrives, before the frame is complete
role: both
requires: fail-fast
trailing: frame
peer sends text "abc\xed\xa0\x80 and much more text that never arrives" cut-payload 5
expect sent close 1007 any-reason
expect no event
[server] expect shutdown
peer eof
expect event closed 1007 protocol-error invalid-utf8
