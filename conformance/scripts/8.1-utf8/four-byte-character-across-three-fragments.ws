rfc: 8.1
title: A four-byte character spread over three fragments is valid
role: both
peer sends text nofin "a\xf0\x9f"
peer sends cont nofin "\x98"
peer sends cont "\x80b"
expect event text "a😀b"
expect no output
