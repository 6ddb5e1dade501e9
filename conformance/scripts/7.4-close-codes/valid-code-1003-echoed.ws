rfc: 7.4
title: A close frame with code 1003 (unsupported data) is reported and echoed with the same code
role: both
trailing: frame
peer sends close 1003 "reason 1003"
expect event close-received 1003 "reason 1003"
expect sent close 1003 any-reason
[server] expect shutdown
[client] expect no shutdown
peer eof
expect event closed 1003 clean-remote reason "reason 1003"
