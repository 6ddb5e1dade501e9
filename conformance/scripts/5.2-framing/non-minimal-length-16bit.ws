rfc: 5.2
title: A 5-byte payload sent in the 16-bit length form is accepted (only senders are bound to the minimal form)
role: both
peer sends text len16 "Hello"
expect event text "Hello"
expect no output
