rfc: 7.1.1
title: A client whose close was answered waits close_timeout for the server FIN, then ends cleanly on its own
role: client

app close 1000
expect sent close 1000
peer sends close 1000
expect event close-received 1000
expect no shutdown
advance 9999 ms
expect no event
advance 1 ms
expect event closed 1000 clean-local
