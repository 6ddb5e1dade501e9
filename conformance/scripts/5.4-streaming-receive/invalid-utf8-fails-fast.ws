rfc: 5.4
title: In streaming mode invalid UTF-8 fails with 1007; chunks before it were already delivered
role: both
config: receive_mode=streaming 
chunkings: whole
peer sends text nofin "fine"
peer sends cont "\xff"
expect event text-chunk "fine" more
expect sent close 1007 any-reason
peer eof
expect event closed 1007 protocol-error invalid-utf8
