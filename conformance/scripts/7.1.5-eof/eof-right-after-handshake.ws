rfc: 7.1.5
title: EOF before any frame ends the connection with 1006 (abnormal closure); nothing is written
role: both

peer eof
expect event closed 1006 eof
expect no output
expect no shutdown
expect wants_read false
