rfc: 5.5.1
title: A close frame with a one-byte payload (half a code) fails with 1002
role: both
trailing: frame
peer sends close hex 03
expect sent close 1002 any-reason
expect no event
peer eof
expect event closed 1002 protocol-error invalid-close-payload
