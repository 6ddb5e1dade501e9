rfc: 7.1.7
title: Aborting ends the connection at once, without a close frame, and refuses later commands
role: both
app abort
expect no output
expect event closed 1006 aborted
app send text "x" => error closed
app close 1000 => error closed
expect no output
