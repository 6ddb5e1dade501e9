rfc: 5.4
title: Text fragments may split a character as long as the message as a whole is valid UTF-8
role: both
app send fragment text "\xc3" more
app send fragment text "\xa9" fin
expect sent text nofin "\xc3"
expect sent cont "\xa9"
