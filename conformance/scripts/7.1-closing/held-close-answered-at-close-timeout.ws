rfc: 5.5.1
title: A close waiting behind messages nobody takes is answered at the close timeout, and the messages stay receivable
role: both
config: close_timeout=10s
app stops draining
peer sends text "unread"
peer sends close 1000
advance 9999 ms
expect no output
advance 1 ms
app resumes draining
expect sent close 1000
[server] expect shutdown
expect event text "unread"
expect event close-received 1000
peer eof
expect event closed 1000 clean-remote
