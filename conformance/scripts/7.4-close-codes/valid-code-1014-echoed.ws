rfc: 7.4
title: A close frame with code 1014 (bad gateway) is reported and echoed with the same code
role: both
trailing: frame
peer sends close 1014 "reason 1014"
expect event close-received 1014 "reason 1014"
expect sent close 1014 any-reason
[server] expect shutdown
[client] expect no shutdown
peer eof
expect event closed 1014 clean-remote reason "reason 1014"
