rfc: 5.5.2
title: A ping is answered with a pong carrying the same payload (auto_pong on, the default)
role: both
peer sends ping "are you there?"
expect event ping "are you there?"
expect sent pong "are you there?"
