rfc: 7.4
title: A close frame with code 1009 (message too big) is reported and echoed with the same code
role: both
trailing: frame
peer sends close 1009 "reason 1009"
expect event close-received 1009 "reason 1009"
expect sent close 1009 any-reason
[server] expect shutdown
[client] expect no shutdown
peer eof
expect event closed 1009 clean-remote reason "reason 1009"
