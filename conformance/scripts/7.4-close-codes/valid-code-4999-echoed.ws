rfc: 7.4
title: A close frame with code 4999 (last private-use code) is reported and echoed with the same code
role: both
trailing: frame
peer sends close 4999 "reason 4999"
expect event close-received 4999 "reason 4999"
expect sent close 4999 any-reason
[server] expect shutdown
[client] expect no shutdown
peer eof
expect event closed 4999 clean-remote reason "reason 4999"
