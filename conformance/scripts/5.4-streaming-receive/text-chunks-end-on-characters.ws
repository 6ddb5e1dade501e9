rfc: 5.4
title: In streaming mode text is handed out as it arrives, each chunk ending on a character boundary
role: server
config: receive_mode=streaming 
chunkings: whole
# Server input: 6 header bytes, then "a" (1) "é" (2) "€" (3) "😀" (4).
peer sends text "aé€😀" split-at 7 8 10 12
expect event text-chunk "a" more
expect event text-chunk "é" more
expect event text-chunk "€" more
expect event text-chunk "😀" fin
