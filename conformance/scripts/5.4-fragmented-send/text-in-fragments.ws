rfc: 5.4
title: A text message sent in fragments: first frame carries the opcode, later ones are continuations, FIN on the last
role: both
app send fragment text "Hel" more
app send fragment text "lo" fin
expect sent text nofin "Hel"
expect sent cont "lo"
