rfc: 7.4
title: A close frame with code 3999 (last registered code) is reported and echoed with the same code
role: both
trailing: frame
peer sends close 3999 "reason 3999"
expect event close-received 3999 "reason 3999"
expect sent close 3999 any-reason
[server] expect shutdown
[client] expect no shutdown
peer eof
expect event closed 3999 clean-remote reason "reason 3999"
