rfc: 7.1.5
title: EOF while we are sending a fragmented message reports 1006
role: both

app send fragment text "half" more
expect sent text nofin "half"
peer eof
expect event closed 1006 eof
app send fragment text " done" fin => error closed
