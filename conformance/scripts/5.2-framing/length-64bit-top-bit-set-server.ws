rfc: 5.2
title: A 64-bit length with its most significant bit set fails a server with 1002 at the header
role: server
trailing: frame
# FIN+binary, MASK + 127, length 0x8000000000000001, masking key.
peer sends raw hex 82 ff 80 00 00 00 00 00 00 01 37 fa 21 3d
expect sent close 1002 any-reason
expect shutdown
peer eof
expect event closed 1002 protocol-error invalid-length
