rfc: 5.3
title: A server unmasks with whatever key each frame carries, the all-zero key included
role: server
peer sends text mask=00000000 "zero key"
expect event text "zero key"
peer sends text mask=ffffffff "ones"
expect event text "ones"
peer sends binary mask=01020304 hex 00 01 02 03 04 05 06 07 08
expect event binary hex 00 01 02 03 04 05 06 07 08
