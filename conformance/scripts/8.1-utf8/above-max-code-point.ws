rfc: 8.1
title: A code point above U+10FFFF fails with 1007
role: both
trailing: frame
peer sends text "\xf4\x90\x80\x80"
expect sent close 1007 any-reason
expect no event
[server] expect shutdown
peer eof
expect event closed 1007 protocol-error invalid-utf8
