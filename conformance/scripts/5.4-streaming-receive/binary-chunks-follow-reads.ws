rfc: 5.4
title: In streaming mode binary payload is handed out read by read
role: server
config: receive_mode=streaming 
chunkings: whole
peer sends binary hex 00 01 02 03 04 05 06 07 08 09 split-at 8 12
expect event binary-chunk hex 00 01 more
expect event binary-chunk hex 02 03 04 05 more
expect event binary-chunk hex 06 07 08 09 fin
