rfc: 10.4
title: With the default limits, a header announcing 17 MiB fails with 1009 without waiting for any payload
role: server
requires: default-limits
trailing: frame
# FIN+binary, MASK + 127, length 17 MiB, masking key; no payload follows.
peer sends raw hex 82 ff 00 00 00 00 01 10 00 00 37 fa 21 3d
expect sent close 1009 any-reason
expect shutdown
peer eof
expect event closed 1009 protocol-error frame-too-large
