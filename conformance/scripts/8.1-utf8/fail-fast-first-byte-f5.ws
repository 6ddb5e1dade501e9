rfc: 8.1
title: A lead byte that can never be valid (F5 would start a code point above U+10FFFF) fails the connection at once
role: both
requires: fail-fast
peer sends text "\xf5AAAA" cut-payload 1
expect sent close 1007 any-reason
peer eof
expect event closed 1007 protocol-error invalid-utf8
