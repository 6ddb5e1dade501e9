rfc: 10.4
title: A ping behind undelivered events is answered once reading resumes
role: both
config: max_pending_events=1
app stops draining
peer sends text "a"
peer sends ping "p"
expect no output
app resumes draining
expect event text "a"
expect event ping "p"
expect sent pong "p"
