rfc: 7.1.1
title: A peer that reads nothing never gets our close frame; the timeout ends the connection and drops the queued output
role: both
requires: non-blocking-writes

peer stops reading
app close 1000
expect no output
advance 10 s
expect event closed 1006 timeout
peer resumes reading
expect no output
