rfc: 5.5
title: A close frame with 126 bytes fails with 1002 (not taken as the peer's close)
role: both
trailing: frame
peer sends close 1000 repeat 124 "r"
expect sent close 1002 any-reason
expect no event
peer eof
expect event closed 1002 protocol-error control-too-large
