rfc: 10.4
title: A fragmented message of exactly max_message_size bytes is accepted
role: both

config: max_message_size=10
peer sends binary nofin repeat 6 0x00
peer sends cont repeat 4 0x00
expect event binary repeat 10 0x00
expect no output
