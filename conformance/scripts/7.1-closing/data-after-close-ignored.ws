rfc: 5.5.1
title: Frames after the peer's close frame are ignored, even invalid ones
role: both
peer sends close 1000
expect event close-received 1000
expect sent close 1000
peer sends text "too late"
peer sends ping "too late"
peer sends opcode=0x3 "garbage"
expect no event
expect no output
peer eof
expect event closed 1000 clean-remote
