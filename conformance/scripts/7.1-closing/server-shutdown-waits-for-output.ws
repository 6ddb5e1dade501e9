rfc: 7.1.1
title: The server's FIN never overtakes its close frame: no shutdown while the echo cannot be written
role: server
peer stops reading
peer sends close 1000
expect event close-received 1000
expect no shutdown
peer resumes reading
expect sent close 1000
expect shutdown
peer eof
expect event closed 1000 clean-remote
