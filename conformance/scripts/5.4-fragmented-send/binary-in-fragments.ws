rfc: 5.4
title: A binary message sent in three fragments
role: both
app send fragment binary hex 01 more
app send fragment binary hex 02 more
app send fragment binary hex 03 fin
expect sent binary nofin hex 01
expect sent cont nofin hex 02
expect sent cont hex 03
