rfc: 8.1
title: A text message containing the byte 0xFF fails with 1007
role: both
trailing: frame
peer sends text "abc\xffdef"
expect sent close 1007 any-reason
expect no event
[server] expect shutdown
peer eof
expect event closed 1007 protocol-error invalid-utf8
