rfc: 7.1.5
title: EOF between the fragments of a message reports 1006; the partial message is not delivered
role: both

peer sends text nofin "part"
peer eof
expect event closed 1006 eof
expect no output
