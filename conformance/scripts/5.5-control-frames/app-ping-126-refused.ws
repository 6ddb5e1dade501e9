rfc: 5.5
title: The application may not send a ping or pong over 125 bytes; nothing is queued
role: both
app ping repeat 126 0x00 => error control-too-large
app pong repeat 126 0x00 => error control-too-large
app ping repeat 125 0x00
expect sent ping repeat 125 0x00
