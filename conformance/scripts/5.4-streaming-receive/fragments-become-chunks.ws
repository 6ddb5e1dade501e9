rfc: 5.4
title: In streaming mode each fragment becomes a chunk; only the last is marked fin
role: both
config: receive_mode=streaming 
chunkings: whole
peer sends text nofin "ab"
peer sends cont nofin "cd"
peer sends cont "ef"
expect event text-chunk "ab" more
expect event text-chunk "cd" more
expect event text-chunk "ef" fin
