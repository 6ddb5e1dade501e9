rfc: 5.5.3
title: An unsolicited pong is reported and needs no answer
role: both
peer sends pong "heartbeat"
expect event pong "heartbeat"
expect no output
