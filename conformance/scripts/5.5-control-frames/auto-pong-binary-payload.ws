rfc: 5.5.3
title: A pong echoes a binary ping payload byte for byte (it need not be UTF-8)
role: both
peer sends ping hex 00 ff fe 80
expect event ping hex 00 ff fe 80
expect sent pong hex 00 ff fe 80
