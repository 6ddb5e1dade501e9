rfc: 8.1
title: The prefix before the offending byte is still valid UTF-8 (U+10FFFF is the last code point: F4 cannot be followed by 90): no failure; EOF then reports 1006
role: both
peer sends text "κόσμε\xf4\x90 and the rest of the message" cut-payload 11
expect no output
expect no event
peer eof
expect event closed 1006 eof
