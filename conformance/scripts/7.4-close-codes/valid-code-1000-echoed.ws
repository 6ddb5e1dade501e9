rfc: 7.4
title: A close frame with code 1000 (normal closure) is reported and echoed with the same code
role: both
trailing: frame
peer sends close 1000 "reason 1000"
expect event close-received 1000 "reason 1000"
expect sent close 1000 any-reason
[server] expect shutdown
[client] expect no shutdown
peer eof
expect event closed 1000 clean-remote reason "reason 1000"
