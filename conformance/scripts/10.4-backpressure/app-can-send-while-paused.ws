rfc: 10.4
title: Sending does not depend on draining events
role: both
config: max_pending_events=2
app stops draining
peer sends text "a"
peer sends text "b"
expect wants_read false
app send text "reply"
expect sent text "reply"
app resumes draining
expect event text "a"
expect event text "b"
