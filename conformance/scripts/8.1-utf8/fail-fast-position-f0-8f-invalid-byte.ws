rfc: 8.1
title: The connection fails with 1007 on the very byte that makes the text invalid (F0 8F would be an overlong four-byte form), before the frame is complete
role: both
requires: fail-fast
peer sends text "ab\xf0\x8f and the rest of the message" cut-payload 4
expect sent close 1007 any-reason
[server] expect shutdown
peer eof
expect event closed 1007 protocol-error invalid-utf8
