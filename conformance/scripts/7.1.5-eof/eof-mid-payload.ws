rfc: 7.1.5
title: EOF in the middle of a payload reports 1006; the partial message is not delivered
role: both

peer sends text "hello" cut-payload 2
peer eof
expect event closed 1006 eof
expect no output
