rfc: 5.4
title: In streaming mode a character split between fragments is held back, across an interleaved ping, until it is complete
role: both
config: receive_mode=streaming
chunkings: whole
peer sends text nofin "a\xc3"
peer sends ping "p"
peer sends cont "\xa9b"
expect event text-chunk "a" more
expect event ping "p"
expect event text-chunk "éb" fin
expect sent pong "p"
