rfc: 7.4
title: A close frame with code 1012 (service restart) is reported and echoed with the same code
role: both
trailing: frame
peer sends close 1012 "reason 1012"
expect event close-received 1012 "reason 1012"
expect sent close 1012 any-reason
[server] expect shutdown
[client] expect no shutdown
peer eof
expect event closed 1012 clean-remote reason "reason 1012"
