rfc: 5.4
title: Empty fragments may be sent
role: both
app send fragment binary empty more
app send fragment binary empty fin
expect sent binary nofin empty
expect sent cont empty
