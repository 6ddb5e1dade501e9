rfc: 7.4
title: A close frame with code 1011 (internal error) is reported and echoed with the same code
role: both
trailing: frame
peer sends close 1011 "reason 1011"
expect event close-received 1011 "reason 1011"
expect sent close 1011 any-reason
[server] expect shutdown
[client] expect no shutdown
peer eof
expect event closed 1011 clean-remote reason "reason 1011"
