rfc: 7.1.2
title: After we send a close frame, the peer's data frames still arrive until its own close frame
role: both
app close 1000
expect sent close 1000
peer sends text "in flight"
peer sends binary nofin hex 01
peer sends cont hex 02
expect event text "in flight"
expect event binary hex 01 02
peer sends close 1000
expect event close-received 1000
expect no output
peer eof
expect event closed 1000 clean-local
