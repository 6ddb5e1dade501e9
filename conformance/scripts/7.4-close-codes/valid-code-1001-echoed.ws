rfc: 7.4
title: A close frame with code 1001 (going away) is reported and echoed with the same code
role: both
trailing: frame
peer sends close 1001 "reason 1001"
expect event close-received 1001 "reason 1001"
expect sent close 1001 any-reason
[server] expect shutdown
[client] expect no shutdown
peer eof
expect event closed 1001 clean-remote reason "reason 1001"
