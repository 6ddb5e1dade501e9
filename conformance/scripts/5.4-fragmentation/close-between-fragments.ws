rfc: 5.4
title: A close frame between fragments ends the connection; the unfinished message is dropped
role: both
trailing: frame
peer sends text nofin "never delivered"
peer sends close 1000
expect event close-received 1000
expect sent close 1000
[server] expect shutdown
peer eof
expect event closed 1000 clean-remote
