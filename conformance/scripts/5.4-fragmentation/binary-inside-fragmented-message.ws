rfc: 5.4
title: A new binary frame (even with FIN clear) inside a fragmented message fails with 1002
role: both
trailing: frame
peer sends binary nofin hex 01
peer sends binary nofin hex 02
expect sent close 1002 any-reason
peer eof
expect event closed 1002 protocol-error expected-continuation
