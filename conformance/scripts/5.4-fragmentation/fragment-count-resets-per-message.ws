rfc: 10.4
title: The fragment limit is per message: the count starts again with the next message
role: both
config: max_fragments_per_message=2
peer sends text nofin "a"
peer sends cont "b"
peer sends text nofin "c"
peer sends cont "d"
expect event text "ab"
expect event text "cd"
expect no output
