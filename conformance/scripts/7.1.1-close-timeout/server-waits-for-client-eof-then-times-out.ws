rfc: 7.1.1
title: A server that completed the handshake and shut down waits close_timeout for the client EOF, then ends cleanly
role: server

peer sends close 1000
expect event close-received 1000
expect sent close 1000
expect shutdown
advance 10 s
expect event closed 1000 clean-remote
