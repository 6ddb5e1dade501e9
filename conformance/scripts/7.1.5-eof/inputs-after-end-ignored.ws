rfc: 7.1.5
title: After the connection ended, more bytes, EOF and time change nothing
role: both

peer eof
expect event closed 1006 eof
peer sends text "ghost"
peer eof
advance 60 s
expect no event
expect no output
