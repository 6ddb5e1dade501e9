rfc: 10.4
title: A single frame bigger than max_message_size (but within max_frame_size) fails with 1009 at its header
role: both
trailing: frame
config: max_message_size=10
peer sends text repeat 11 "x" cut-payload 0
expect sent close 1009 any-reason
peer eof
expect event closed 1009 protocol-error message-too-large
