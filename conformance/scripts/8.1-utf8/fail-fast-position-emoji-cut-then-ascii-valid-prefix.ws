rfc: 8.1
title: The prefix before the offending byte is still valid UTF-8 (a four-byte character interrupted by ASCII on its fourth byte): no failure; EOF then reports 1006
role: both
peer sends text "ab\xf0\x9f\x98A and the rest of the message" cut-payload 5
expect no output
expect no event
peer eof
expect event closed 1006 eof
