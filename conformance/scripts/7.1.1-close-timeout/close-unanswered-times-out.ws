rfc: 7.1.1
title: A close frame with no answer within close_timeout (10 s) ends the connection with 1006 timeout
role: both

app close 1000
expect sent close 1000
advance 9999 ms
expect no event
advance 1 ms
expect event closed 1006 timeout
