rfc: 5.5.2
title: The application sends a ping and an unsolicited pong; the peer's pong is reported
role: both
app ping "hello?"
expect sent ping "hello?"
app pong "unsolicited"
expect sent pong "unsolicited"
peer sends pong "hello?"
expect event pong "hello?"
