rfc: 7.1.1
title: A client answers a server's close and waits for the server to close TCP
role: client
trailing: frame
peer sends close 1000
expect event close-received 1000
expect sent close 1000
expect no shutdown
peer eof
expect event closed 1000 clean-remote
