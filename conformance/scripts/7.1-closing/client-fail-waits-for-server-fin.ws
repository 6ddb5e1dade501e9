rfc: 7.1.7
title: A client that fails the connection sends its close frame, ignores the server's answer, and waits for the server's FIN
role: client
peer sends text "\xff"
expect sent close 1007 any-reason
expect no shutdown
peer sends close 1007
expect no event
peer eof
expect event closed 1007 protocol-error invalid-utf8
