rfc: 7.1.5
title: EOF after one header byte reports 1006
role: both

peer sends text "hello" cut-header 1
expect no event
peer eof
expect event closed 1006 eof
expect no output
