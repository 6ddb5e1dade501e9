rfc: 7.1.1
title: The close timeout starts when the close frame is queued, not when the connection opened
role: both

advance 5 s
app close 1000
expect sent close 1000
advance 9999 ms
expect no event
advance 1 ms
expect event closed 1006 timeout
