rfc: 5.5.3
title: Every ping is answered, in order, while the output is below its high-water mark
role: both
peer sends ping "1"
peer sends ping "2"
peer sends ping "3"
expect event ping "1"
expect event ping "2"
expect event ping "3"
expect sent pong "1"
expect sent pong "2"
expect sent pong "3"
