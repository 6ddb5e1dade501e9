rfc: 7.4
title: A close frame with code 1007 (invalid payload data) is reported and echoed with the same code
role: both
trailing: frame
peer sends close 1007 "reason 1007"
expect event close-received 1007 "reason 1007"
expect sent close 1007 any-reason
[server] expect shutdown
[client] expect no shutdown
peer eof
expect event closed 1007 clean-remote reason "reason 1007"
