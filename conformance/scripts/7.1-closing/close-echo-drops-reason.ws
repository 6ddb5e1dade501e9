rfc: 5.5.1
title: The echoed close frame carries the peer's code and no reason
role: both
requires: implementation-choice
trailing: frame
peer sends close 3001 "a long explanation the echo does not repeat"
expect event close-received 3001 "a long explanation the echo does not repeat"
expect sent close 3001
peer eof
expect event closed 3001 clean-remote
