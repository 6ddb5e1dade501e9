rfc: 5.4
title: While a fragmented message is being sent, other data messages are refused
role: both
app send fragment text "a" more
app send text "x" => error fragment-in-progress
app send binary hex 00 => error fragment-in-progress
app send fragment binary hex 00 fin => error fragment-in-progress
app send fragment text "b" fin
expect sent text nofin "a"
expect sent cont "b"
app send text "next"
expect sent text "next"
