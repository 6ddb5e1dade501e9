rfc: 7.4
title: A close frame with code 1013 (try again later) is reported and echoed with the same code
role: both
trailing: frame
peer sends close 1013 "reason 1013"
expect event close-received 1013 "reason 1013"
expect sent close 1013 any-reason
[server] expect shutdown
[client] expect no shutdown
peer eof
expect event closed 1013 clean-remote reason "reason 1013"
