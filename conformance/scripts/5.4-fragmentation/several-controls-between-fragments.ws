rfc: 5.4
title: Several control frames between fragments are each handled in order
role: both
peer sends text nofin "a"
peer sends ping "1"
peer sends cont nofin "b"
peer sends ping "2"
peer sends pong "3"
peer sends cont "c"
expect event ping "1"
expect event ping "2"
expect event pong "3"
expect event text "abc"
expect sent pong "1"
expect sent pong "2"
