rfc: 10.4
title: One fragment over max_fragments_per_message fails with 1008 at that fragment's header
role: both
trailing: frame
config: max_fragments_per_message=3
peer sends binary nofin empty
peer sends cont nofin empty
peer sends cont nofin empty
expect no output
peer sends cont repeat 50 0x00 cut-payload 0
expect sent close 1008 any-reason
[server] expect shutdown
peer eof
expect event closed 1008 protocol-error too-many-fragments
