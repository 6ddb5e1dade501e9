rfc: 7.4
title: A close frame with code 1010 (mandatory extension) is reported and echoed with the same code
role: both
trailing: frame
peer sends close 1010 "reason 1010"
expect event close-received 1010 "reason 1010"
expect sent close 1010 any-reason
[server] expect shutdown
[client] expect no shutdown
peer eof
expect event closed 1010 clean-remote reason "reason 1010"
