rfc: 5.7
title: "A fragmented unmasked text message" — "Hel" then "lo" — is one message
role: client
peer sends raw hex 01 03 48 65 6c
expect no event
peer sends raw hex 80 02 6c 6f
expect event text "Hello"
