rfc: 5.4
title: A continuation frame with no message in progress fails the connection with 1002
role: both
trailing: frame
peer sends cont "orphan"
expect sent close 1002 any-reason
peer eof
expect event closed 1002 protocol-error unexpected-continuation
