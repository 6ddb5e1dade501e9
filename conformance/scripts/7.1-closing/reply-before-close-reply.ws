rfc: 5.5.1
title: A message that arrived just before the peer's close can still be answered, and the answer goes out before the close reply
role: both
app stops draining
peer sends text "question"
peer sends close 1000
expect no output
app takes 1 event
expect event text "question"
app send text "answer"
expect sent text "answer"
expect no output
app resumes draining
expect event close-received 1000
expect sent close 1000
[server] expect shutdown
peer eof
expect event closed 1000 clean-remote
