rfc: 5.2
title: A 64-bit length with its most significant bit set fails a client with 1002 at the header
role: client
trailing: frame
peer sends raw hex 82 7f 80 00 00 00 00 00 00 00
expect sent close 1002 any-reason
expect no shutdown
peer eof
expect event closed 1002 protocol-error invalid-length
