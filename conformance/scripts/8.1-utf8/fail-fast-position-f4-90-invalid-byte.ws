rfc: 8.1
title: The connection fails with 1007 on the very byte that makes the text invalid (U+10FFFF is the last code point: F4 cannot be followed by 90), before the frame is complete
role: both
requires: fail-fast
peer sends text "κόσμε\xf4\x90 and the rest of the message" cut-payload 12
expect sent close 1007 any-reason
[server] expect shutdown
peer eof
expect event closed 1007 protocol-error invalid-utf8
