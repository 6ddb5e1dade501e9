rfc: 5.2
title: 126 bytes is the smallest payload of the 16-bit length form
role: both
peer sends binary repeat 126 0x01
expect event binary repeat 126 0x01
