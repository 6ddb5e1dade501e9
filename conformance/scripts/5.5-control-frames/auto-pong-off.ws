rfc: 5.5.2
title: With auto_pong off a ping is only reported; the application answers it
role: both
config: auto_pong=off
peer sends ping "manual"
expect event ping "manual"
expect no output
app pong "manual"
expect sent pong "manual"
