rfc: 10.4
title: Control frames between fragments do not count toward the message size
role: both

config: max_message_size=4
peer sends text nofin "ab"
peer sends ping repeat 100 0x00
peer sends cont "cd"
expect event ping repeat 100 0x00
expect event text "abcd"
expect sent pong repeat 100 0x00
