rfc: 8.1
title: A character cut off by the end of a single-frame message fails with 1007
role: both
trailing: frame
peer sends text "ok\xce"
expect sent close 1007 any-reason
expect no event
[server] expect shutdown
peer eof
expect event closed 1007 protocol-error invalid-utf8
