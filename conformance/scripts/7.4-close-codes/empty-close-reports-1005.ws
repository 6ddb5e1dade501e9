rfc: 7.1.5
title: An empty close frame is reported as 1005 (no status) and answered with an empty close frame
role: both
trailing: frame
peer sends close
expect event close-received 1005
expect sent close
[server] expect shutdown
peer eof
expect event closed 1005 clean-remote
