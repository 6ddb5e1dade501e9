rfc: 5.4
title: Pings, pongs and auto-pongs may go out between the fragments we send
role: both
app send fragment binary hex 01 more
app ping "p"
peer sends ping "q"
expect event ping "q"
app send fragment binary hex 02 fin
expect sent binary nofin hex 01
expect sent ping "p"
expect sent pong "q"
expect sent cont hex 02
