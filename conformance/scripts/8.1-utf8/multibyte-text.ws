rfc: 8.1
title: Two-, three- and four-byte characters are valid text
role: both
peer sends text "κόσμε € 😀"
expect event text "κόσμε € 😀"
expect no output
