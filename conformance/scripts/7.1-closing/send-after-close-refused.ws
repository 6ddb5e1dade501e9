rfc: 5.5.1
title: After our close frame, data, ping, pong and a second close are refused and nothing is written
role: both
app close 1000
expect sent close 1000
app send text "x" => error closed
app send binary hex 00 => error closed
app send fragment text "x" more => error closed
app ping => error closed
app pong => error closed
app close 1000 => error closed
expect no output
