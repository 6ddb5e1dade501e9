rfc: 5.4
title: In streaming mode max_message_size still bounds one message
role: both
config: receive_mode=streaming max_message_size=8
chunkings: whole
peer sends binary nofin repeat 6 0x00
peer sends cont repeat 3 0x00 cut-payload 0
expect event binary-chunk repeat 6 0x00 more
expect sent close 1009 any-reason
peer eof
expect event closed 1009 protocol-error message-too-large
