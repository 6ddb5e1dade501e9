rfc: 5.4
title: A ping between fragments is answered at once; the message still completes
role: both
peer sends text nofin "frag"
peer sends ping "in between"
expect event ping "in between"
expect sent pong "in between"
peer sends cont "ment"
expect event text "fragment"
