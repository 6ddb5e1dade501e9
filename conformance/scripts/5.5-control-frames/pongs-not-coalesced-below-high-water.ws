rfc: 10.4
title: Below the high-water mark, while the peer is not reading, every pong is still queued
role: both
requires: non-blocking-writes
config: write_buffer_high_water=1000
peer stops reading
peer sends ping "1"
peer sends ping "2"
expect event ping "1"
expect event ping "2"
expect no output
peer resumes reading
expect sent pong "1"
expect sent pong "2"
