rfc: 5.2
title: 125 bytes is the largest payload of the 7-bit length form
role: both
peer sends binary repeat 125 0x5a
expect event binary repeat 125 0x5a
expect no output
