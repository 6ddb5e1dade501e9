rfc: 7.4
title: A close frame with code 4000 (first private-use code) is reported and echoed with the same code
role: both
trailing: frame
peer sends close 4000 "reason 4000"
expect event close-received 4000 "reason 4000"
expect sent close 4000 any-reason
[server] expect shutdown
[client] expect no shutdown
peer eof
expect event closed 4000 clean-remote reason "reason 4000"
