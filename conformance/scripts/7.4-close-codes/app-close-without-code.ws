rfc: 7.1.2
title: Closing without a code sends an empty close frame; the peer's echo completes the handshake with 1005
role: both
app close
expect sent close
peer sends close
expect event close-received 1005
[server] expect shutdown
peer eof
expect event closed 1005 clean-local
