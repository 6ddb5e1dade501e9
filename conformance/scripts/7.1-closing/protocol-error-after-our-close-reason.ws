rfc: 7.1.7
title: A violation after our close frame is reported with the error's code and the error's own reason, not our close frame's reason
role: both
app close 1000 "bye"
expect sent close 1000 "bye"
peer sends opcode=0x4 empty
expect no output
peer eof
expect event closed 1002 protocol-error unknown-opcode reason "unknown opcode 0x4"
