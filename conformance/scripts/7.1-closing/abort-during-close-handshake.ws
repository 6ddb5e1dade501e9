rfc: 7.1.7
title: Aborting while waiting for the peer's close reports aborted, not a clean close
role: both
app close 1000
expect sent close 1000
app abort
expect event closed 1006 aborted
peer sends close 1000
peer eof
expect no event
