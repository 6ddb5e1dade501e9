rfc: 7.1.5
title: EOF inside a 16-bit extended length reports 1006
role: both

peer sends binary repeat 300 0x00 cut-header 3
peer eof
expect event closed 1006 eof
expect no output
