rfc: 10.4
title: A message of exactly max_fragments_per_message fragments (empty ones counted) is accepted
role: both
config: max_fragments_per_message=3
peer sends binary nofin empty
peer sends cont nofin hex 01
peer sends cont empty
expect event binary hex 01
