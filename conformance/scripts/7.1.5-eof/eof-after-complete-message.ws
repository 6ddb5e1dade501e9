rfc: 7.1.5
title: A message complete before EOF is delivered before the connection reports 1006
role: both

peer sends text "last words"
peer eof
expect event text "last words"
expect event closed 1006 eof
