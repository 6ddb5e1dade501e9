rfc: 5.7
title: "A single-frame masked text message" — key 37 fa 21 3d — received by a server
role: server
peer sends raw hex 81 85 37 fa 21 3d 7f 9f 4d 51 58
expect event text "Hello"
expect no output
