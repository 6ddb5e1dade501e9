rfc: 5.7
title: "256 bytes binary message in a single unmasked frame" — 0x82 0x7E 0x0100
role: client
peer sends raw hex 82 7e 01 00 + repeat 256 0x2a
expect event binary repeat 256 0x2a
