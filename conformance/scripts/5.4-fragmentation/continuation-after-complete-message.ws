rfc: 5.4
title: A continuation frame after a message's final frame fails the connection with 1002
role: both
trailing: frame
peer sends text "done"
expect event text "done"
peer sends cont "more?"
expect sent close 1002 any-reason
peer eof
expect event closed 1002 protocol-error unexpected-continuation
