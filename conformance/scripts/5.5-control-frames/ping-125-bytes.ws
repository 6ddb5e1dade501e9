rfc: 5.5
title: A ping with 125 bytes, the most a control frame may carry, is answered in full
role: both
peer sends ping repeat 125 0x70
expect event ping repeat 125 0x70
expect sent pong repeat 125 0x70
