rfc: 5.7
title: "64KiB binary message in a single unmasked frame" — 0x82 0x7F 0x0000000000010000
role: client
peer sends raw hex 82 7f 00 00 00 00 00 01 00 00 + repeat 65536 0x07
expect event binary repeat 65536 0x07
