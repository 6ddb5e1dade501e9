rfc: 7.1.5
title: EOF while waiting for the answer to our close frame reports 1006, not a clean close
role: both

app close 1000
expect sent close 1000
peer eof
expect event closed 1006 eof
