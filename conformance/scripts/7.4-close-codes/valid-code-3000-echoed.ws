rfc: 7.4
title: A close frame with code 3000 (first registered code) is reported and echoed with the same code
role: both
trailing: frame
peer sends close 3000 "reason 3000"
expect event close-received 3000 "reason 3000"
expect sent close 3000 any-reason
[server] expect shutdown
[client] expect no shutdown
peer eof
expect event closed 3000 clean-remote reason "reason 3000"
