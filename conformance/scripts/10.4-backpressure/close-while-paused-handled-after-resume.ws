rfc: 10.4
title: A close frame behind undelivered events is echoed only once reading resumes
role: both
config: max_pending_events=1
app stops draining
peer sends text "a"
peer sends close 1000
expect no output
app resumes draining
expect event text "a"
expect event close-received 1000
expect sent close 1000
peer eof
expect event closed 1000 clean-remote
