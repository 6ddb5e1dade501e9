rfc: 5.6
title: Binary messages may hold any bytes, invalid UTF-8 included
role: both
peer sends binary hex ff fe c0 af ed a0 80
expect event binary hex ff fe c0 af ed a0 80
expect no output
