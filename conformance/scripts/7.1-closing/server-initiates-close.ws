rfc: 7.1.1
title: A server that starts the close handshake shuts TCP down once the client's close arrives, and only then
role: server
app close 1000 "bye"
expect sent close 1000 "bye"
expect no shutdown
peer sends close 1000
expect event close-received 1000
expect shutdown
peer eof
expect event closed 1000 clean-local
