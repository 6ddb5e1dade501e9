rfc: 5.2
title: Frames back to back are parsed one after another, whatever the read boundaries
role: both
peer sends text "one"
peer sends binary hex 02
peer sends ping "three"
peer sends text "four"
expect event text "one"
expect event binary hex 02
expect event ping "three"
expect event text "four"
expect sent pong "three"
