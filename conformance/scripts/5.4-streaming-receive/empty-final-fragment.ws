rfc: 5.4
title: An empty final fragment still ends the streamed message with an empty fin chunk
role: both
config: receive_mode=streaming 
chunkings: whole
peer sends binary nofin hex 01
peer sends cont empty
expect event binary-chunk hex 01 more
expect event binary-chunk empty fin
