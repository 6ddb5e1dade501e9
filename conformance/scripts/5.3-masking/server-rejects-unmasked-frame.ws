rfc: 5.3
title: A server that receives an unmasked frame fails the connection with 1002
role: server
trailing: frame
peer sends text unmasked "Hello"
expect sent close 1002 any-reason
expect shutdown
expect no event
peer eof
expect event closed 1002 protocol-error unmasked-frame
