rfc: 10.4
title: Above write_buffer_limit data is refused with buffer-full, but a close frame is still accepted
role: both
config: write_buffer_limit=1000
peer stops reading
app send binary repeat 1200 0x00
app send binary hex 00 => error buffer-full
app send text "x" => error buffer-full
app close 1000
expect no output
peer resumes reading
expect sent binary repeat 1200 0x00
expect sent close 1000
