rfc: 5.2
title: A zero-length payload uses the 7-bit length form and is a valid empty message
role: both
peer sends binary empty
expect event binary empty
peer sends text empty
expect event text empty
expect no output
