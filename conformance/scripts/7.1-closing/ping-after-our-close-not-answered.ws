rfc: 5.5.1
title: A ping that arrives after we sent our close frame is reported but not answered (nothing may follow a close frame)
role: both
app close 1000
expect sent close 1000
peer sends ping "late"
expect event ping "late"
expect no output
