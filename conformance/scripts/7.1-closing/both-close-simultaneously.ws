rfc: 7.1.3
title: When both ends send close at the same time, each close counts as the other's answer
role: both
app close 1000 "mine"
expect sent close 1000 "mine"
peer sends close 1001 "theirs"
expect event close-received 1001 "theirs"
expect no output
[server] expect shutdown
peer eof
expect event closed 1001 clean-local reason "theirs"
