rfc: 7.4
title: The application cannot send a reserved code or a reason over 123 bytes; refused commands change nothing
role: both
app close 1006 => error invalid-close-code
app close 1005 "with a reason" => error invalid-close-code
app close 999 => error invalid-close-code
app close 1000 repeat 124 "r" => error close-reason-too-long
expect no output
app send text "still open"
expect sent text "still open"
app close 4000 repeat 123 "r"
expect sent close 4000 repeat 123 "r"
