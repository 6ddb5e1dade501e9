rfc: 5.5
title: A ping with 126 bytes fails with 1002 as soon as the first two header bytes arrive
role: both
requires: fail-fast
trailing: frame
peer sends ping repeat 126 0x70 cut-header 2
expect sent close 1002 any-reason
expect no event
peer eof
expect event closed 1002 protocol-error control-too-large
