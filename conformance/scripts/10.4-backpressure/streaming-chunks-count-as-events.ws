rfc: 10.4
title: In streaming mode undelivered chunks count toward max_pending_events like messages
role: both
config: receive_mode=streaming max_pending_events=2
chunkings: whole
app stops draining
peer sends binary nofin hex 01
peer sends cont nofin hex 02
expect wants_read false
peer sends cont hex 03
app resumes draining
expect event binary-chunk hex 01 more
expect event binary-chunk hex 02 more
expect event binary-chunk hex 03 fin
