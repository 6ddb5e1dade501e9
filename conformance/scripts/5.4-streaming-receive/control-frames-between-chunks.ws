rfc: 5.4
title: Control frames between streamed fragments are reported in order
role: both
config: receive_mode=streaming 
chunkings: whole
peer sends text nofin "ab"
peer sends ping "p"
peer sends cont "cd"
expect event text-chunk "ab" more
expect event ping "p"
expect event text-chunk "cd" fin
expect sent pong "p"
