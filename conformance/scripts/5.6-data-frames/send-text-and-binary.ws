rfc: 5.6
title: Text goes out with opcode 0x1 and binary with opcode 0x2, each in a single final frame
role: both
app send text "hello"
app send binary hex de ad be ef
app send text empty
expect sent text "hello"
expect sent binary hex de ad be ef
expect sent text empty
