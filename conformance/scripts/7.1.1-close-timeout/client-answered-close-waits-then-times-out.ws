rfc: 7.1.1
title: A client that answered the server close waits close_timeout for the FIN, then ends cleanly
role: client

peer sends close 1001
expect event close-received 1001
expect sent close 1001
advance 10 s
expect event closed 1001 clean-remote
