rfc: 7.1.2
title: After our close, the peer's last messages and its close are read while the application does not read, so the handshake completes
role: both
requires: close-keeps-reading
config: max_pending_events=2
app stops draining
app close 1000
expect sent close 1000
peer sends text "a"
peer sends text "b"
peer sends text "c"
peer sends close 1000
[server] expect shutdown
peer eof
app resumes draining
expect event text "a"
expect event text "b"
expect event text "c"
expect event close-received 1000
expect event closed 1000 clean-local
