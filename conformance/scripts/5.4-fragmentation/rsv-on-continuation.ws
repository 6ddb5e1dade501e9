rfc: 5.4
title: A reserved bit on a continuation frame fails with 1002
role: both
trailing: frame
peer sends text nofin "a"
peer sends cont rsv1 "b"
expect sent close 1002 any-reason
peer eof
expect event closed 1002 protocol-error reserved-bits
