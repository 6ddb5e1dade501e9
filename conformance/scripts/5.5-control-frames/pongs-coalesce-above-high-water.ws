rfc: 10.4
title: Above the write high-water mark only the newest pong is kept: a pinging peer that does not read cannot grow our memory
role: both
config: write_buffer_high_water=100
peer stops reading
app send binary repeat 200 0x00
peer sends ping "1"
peer sends ping "2"
peer sends ping "3"
expect event ping "1"
expect event ping "2"
expect event ping "3"
expect no output
peer resumes reading
expect sent binary repeat 200 0x00
expect sent pong "3"
expect no output
