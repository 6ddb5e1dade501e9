rfc: 7.1.1
title: A client that starts the close handshake never shuts TCP down first; it waits for the server's FIN
role: client
app close 1001 "leaving"
expect sent close 1001 "leaving"
peer sends close 1001
expect event close-received 1001
expect no shutdown
peer eof
expect event closed 1001 clean-local
