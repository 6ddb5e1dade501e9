rfc: 8.1
title: A two-byte character split between two fragments is valid
role: both
peer sends text nofin "\xce"
peer sends cont "\xba"
expect event text "κ"
expect no output
