rfc: 10.4
title: EOF that arrives while reading is paused is acted on only after every buffered message was delivered
role: both
config: max_pending_events=2
app stops draining
peer sends binary hex 01
peer sends binary hex 02
peer sends binary hex 03
peer sends binary hex 04
peer sends binary hex 05
peer eof
expect no event
app resumes draining
expect event binary hex 01
expect event binary hex 02
expect event binary hex 03
expect event binary hex 04
expect event binary hex 05
expect event closed 1006 eof
