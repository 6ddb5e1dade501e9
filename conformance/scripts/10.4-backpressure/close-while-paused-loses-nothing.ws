rfc: 10.4
title: Closing while more messages wait than the event queue holds loses none of them: they come, in order, when draining resumes
role: server
config: max_pending_events=2
app stops draining
peer sends text "1"
peer sends text "2"
peer sends text "3"
app close 1000
expect sent close 1000
peer sends close 1000
app resumes draining
expect event text "1"
expect event text "2"
expect event text "3"
expect event close-received 1000
expect shutdown
peer eof
expect event closed 1000 clean-local
