rfc: 5.2
title: A 200-byte payload sent in the 64-bit length form is accepted
role: both
peer sends binary len64 repeat 200 0x33
expect event binary repeat 200 0x33
peer sends text len64 empty
expect event text empty
