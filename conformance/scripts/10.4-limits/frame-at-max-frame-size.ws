rfc: 10.4
title: A frame of exactly max_frame_size bytes is accepted
role: both

config: max_frame_size=1000
peer sends binary repeat 1000 0x01
expect event binary repeat 1000 0x01
expect no output
