rfc: 5.4
title: The application may close in the middle of a fragmented message; the close frame may be interleaved
role: both
app send fragment binary hex 01 more
expect sent binary nofin hex 01
app close 1000
expect sent close 1000
app send fragment binary hex 02 fin => error closed
expect no output
