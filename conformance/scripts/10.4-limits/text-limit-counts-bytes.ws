rfc: 10.4
title: The message limit counts bytes, not characters: five two-byte characters are 10 bytes
role: both

config: max_message_size=10
peer sends text "ééééé"
expect event text "ééééé"
peer sends text "éééééx" cut-payload 0
expect sent close 1009 any-reason
peer eof
expect event closed 1009 protocol-error message-too-large
