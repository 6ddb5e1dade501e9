rfc: 5.7
title: "A single-frame unmasked text message" — 0x81 0x05 "Hello" — received by a client
role: client
peer sends raw hex 81 05 48 65 6c 6c 6f
expect event text "Hello"
expect no output
