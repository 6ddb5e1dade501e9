rfc: 10.4
title: The message size limit applies to each message separately
role: both

config: max_message_size=4
peer sends binary nofin hex 01 02
peer sends cont hex 03 04
peer sends binary hex 05 06 07 08
expect event binary hex 01 02 03 04
expect event binary hex 05 06 07 08
expect no output
