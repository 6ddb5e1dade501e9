rfc: 5.7
title: "Unmasked Ping request and masked Ping response" — a client answers with the RFC's bytes
role: client
our-mask: 37 fa 21 3d
peer sends raw hex 89 05 48 65 6c 6c 6f
expect event ping "Hello"
expect sent raw hex 8a 85 37 fa 21 3d 7f 9f 4d 51 58
