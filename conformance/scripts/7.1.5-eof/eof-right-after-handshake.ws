rfc: 7.1.5
title: EOF before any frame ends the connection with 1006 (abnormal closure); no frame is written, and our write half is shut down since the connection is over
role: both

peer eof
expect event closed 1006 eof
expect no output
expect shutdown
expect wants_read false
