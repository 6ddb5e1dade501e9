rfc: 5.5.1
title: A close frame with a 123-byte reason (125 bytes of payload) is valid
role: both
trailing: frame
peer sends close 1000 repeat 123 "z"
expect event close-received 1000 repeat 123 "z"
expect sent close 1000 any-reason
peer eof
expect event closed 1000 clean-remote
