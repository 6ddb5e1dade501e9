rfc: 5.4
title: A new text frame while a fragmented message is open fails the connection with 1002
role: both
trailing: frame
peer sends text nofin "first"
peer sends text "second"
expect sent close 1002 any-reason
expect no event
peer eof
expect event closed 1002 protocol-error expected-continuation
