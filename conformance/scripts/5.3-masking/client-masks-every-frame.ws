rfc: 5.3
title: A client masks every frame it sends, control frames included, with its mask source's key
role: client
app send text "Hello"
expect sent raw hex 81 85 0b ad f0 0d 43 c8 9c 61 64
app send binary hex 00 ff
app ping "p"
app pong empty
app close 1000 "bye"
expect sent binary hex 00 ff
expect sent ping "p"
expect sent pong empty
expect sent close 1000 "bye"
expect no output
