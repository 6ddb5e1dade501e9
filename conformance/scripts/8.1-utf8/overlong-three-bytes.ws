rfc: 8.1
title: An overlong three-byte encoding fails with 1007
role: both
trailing: frame
peer sends text "\xe0\x80\xaf"
expect sent close 1007 any-reason
expect no event
[server] expect shutdown
peer eof
expect event closed 1007 protocol-error invalid-utf8
