rfc: 5.4
title: A text message in three fragments is delivered once, whole, after the last one
role: both
peer sends text nofin "Hel"
expect no event
peer sends cont nofin "lo, "
expect no event
peer sends cont "world"
expect event text "Hello, world"
expect no output
