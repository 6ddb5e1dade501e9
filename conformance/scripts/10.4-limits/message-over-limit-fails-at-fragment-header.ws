rfc: 10.4
title: A fragment that would take the message over max_message_size fails with 1009 at its header
role: both
trailing: frame
config: max_message_size=10
peer sends binary nofin repeat 6 0x00
peer sends cont repeat 5 0x00 cut-payload 0
expect sent close 1009 any-reason
expect no event
peer eof
expect event closed 1009 protocol-error message-too-large
