rfc: 7.1.1
title: close_timeout is configurable
role: both
config: close_timeout=500ms
app close 1001
expect sent close 1001
advance 499 ms
expect no event
advance 1 ms
expect event closed 1006 timeout
