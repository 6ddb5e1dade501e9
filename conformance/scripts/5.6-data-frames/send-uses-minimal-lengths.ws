rfc: 5.6
title: Outgoing frames use the shortest length encoding: 125, 126, 65535 and 65536 bytes
role: both
app send binary repeat 125 0x01
app send binary repeat 126 0x02
app send binary repeat 65535 0x03
app send binary repeat 65536 0x04
expect sent binary repeat 125 0x01
expect sent binary repeat 126 0x02
expect sent binary repeat 65535 0x03
expect sent binary repeat 65536 0x04
