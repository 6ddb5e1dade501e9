rfc: 7.1.5
title: EOF inside the masking key reports 1006
role: server

peer sends text "hello" cut-header 4
peer eof
expect event closed 1006 eof
expect no output
