rfc: 10.4
title: A closed connection does not want to read
role: both

peer sends close 1000
expect event close-received 1000
expect sent close 1000
peer eof
expect event closed 1000 clean-remote
expect wants_read false
