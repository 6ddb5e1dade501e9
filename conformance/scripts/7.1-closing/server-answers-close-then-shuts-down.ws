rfc: 7.1.1
title: A server answers a client's close and then shuts TCP down first, after the echo is written
role: server
trailing: frame
peer sends close 1000 "client done"
expect event close-received 1000 "client done"
expect sent close 1000 any-reason
expect shutdown
peer eof
expect event closed 1000 clean-remote reason "client done"
