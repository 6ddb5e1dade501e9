rfc: 8.1
title: The connection fails with 1007 on the very byte that makes the text invalid (a four-byte character interrupted by ASCII on its fourth byte), before the frame is complete
role: both
requires: fail-fast
peer sends text "ab\xf0\x9f\x98A and the rest of the message" cut-payload 6
expect sent close 1007 any-reason
[server] expect shutdown
peer eof
expect event closed 1007 protocol-error invalid-utf8
