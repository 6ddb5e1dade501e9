rfc: 5.3
title: A client that receives a masked frame fails the connection with 1002
role: client
trailing: frame
peer sends text masked "Hello"
expect sent close 1002 any-reason
expect no shutdown
expect no event
peer eof
expect event closed 1002 protocol-error masked-frame
