rfc: 7.4
title: A close frame with code 1008 (policy violation) is reported and echoed with the same code
role: both
trailing: frame
peer sends close 1008 "reason 1008"
expect event close-received 1008 "reason 1008"
expect sent close 1008 any-reason
[server] expect shutdown
[client] expect no shutdown
peer eof
expect event closed 1008 clean-remote reason "reason 1008"
