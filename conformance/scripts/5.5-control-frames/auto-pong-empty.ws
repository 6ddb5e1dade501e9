rfc: 5.5.3
title: A ping with no payload is answered with an empty pong
role: both
peer sends ping
expect event ping empty
expect sent pong empty
