rfc: 8.1
title: The prefix before the offending byte is still valid UTF-8 (F0 8F would be an overlong four-byte form): no failure; EOF then reports 1006
role: both
peer sends text "ab\xf0\x8f and the rest of the message" cut-payload 3
expect no output
expect no event
peer eof
expect event closed 1006 eof
