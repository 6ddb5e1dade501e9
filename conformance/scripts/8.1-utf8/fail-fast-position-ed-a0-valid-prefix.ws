rfc: 8.1
title: The prefix before the offending byte is still valid UTF-8 (ED A0 would start a surrogate): no failure; EOF then reports 1006
role: both
peer sends text "ab\xed\xa0 and the rest of the message" cut-payload 3
expect no output
expect no event
peer eof
expect event closed 1006 eof
