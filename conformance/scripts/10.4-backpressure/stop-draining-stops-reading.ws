rfc: 10.4
title: When the application stops taking events, the endpoint stops reading once max_pending_events are waiting
role: both
config: max_pending_events=2
app stops draining
peer sends binary hex 01
expect wants_read true
peer sends binary hex 02
expect wants_read false
peer sends binary hex 03
peer sends binary hex 04
expect wants_read false
expect no event
app resumes draining
expect event binary hex 01
expect event binary hex 02
expect event binary hex 03
expect event binary hex 04
expect wants_read true
