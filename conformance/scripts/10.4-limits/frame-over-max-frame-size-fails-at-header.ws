rfc: 10.4
title: A frame one byte over max_frame_size fails with 1009 as soon as its header is complete
role: both
trailing: frame
config: max_frame_size=1000
peer sends binary repeat 1001 0x01 cut-payload 0
expect sent close 1009 any-reason
[server] expect shutdown
expect no event
peer eof
expect event closed 1009 protocol-error frame-too-large
