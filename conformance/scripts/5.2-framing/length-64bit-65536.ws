rfc: 5.2
title: 65536 bytes needs the 64-bit length form
role: both
peer sends binary repeat 65536 0x09
expect event binary repeat 65536 0x09
