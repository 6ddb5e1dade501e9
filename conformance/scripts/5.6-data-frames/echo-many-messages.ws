rfc: 5.6
title: Messages received and sent interleave freely
role: both
peer sends text "ping-pong 1"
expect event text "ping-pong 1"
app send text "ping-pong 1"
peer sends binary hex 02
expect event binary hex 02
app send binary hex 02
expect sent text "ping-pong 1"
expect sent binary hex 02
