rfc: 5.4
title: A text fragment that makes the message invalid UTF-8 is refused and nothing is sent for it
role: both
app send fragment text "\xc3" more
app send fragment text "A" fin => error invalid-utf8
app send fragment text "\xc3" fin => error invalid-utf8
app send fragment text "\xa9" fin
expect sent text nofin "\xc3"
expect sent cont "\xa9"
