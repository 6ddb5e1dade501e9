rfc: 8.1
title: A character cut off by the end of a fragmented message fails with 1007
role: both
trailing: frame
peer sends text nofin "ok"
peer sends cont "\xe2\x82"
expect sent close 1007 any-reason
expect no event
[server] expect shutdown
peer eof
expect event closed 1007 protocol-error invalid-utf8
