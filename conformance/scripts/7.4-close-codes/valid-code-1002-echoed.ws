rfc: 7.4
title: A close frame with code 1002 (protocol error) is reported and echoed with the same code
role: both
trailing: frame
peer sends close 1002 "reason 1002"
expect event close-received 1002 "reason 1002"
expect sent close 1002 any-reason
[server] expect shutdown
[client] expect no shutdown
peer eof
expect event closed 1002 clean-remote reason "reason 1002"
