rfc: 5.4
title: A close frame without FIN fails with 1002 (it is not taken as the peer's close)
role: both
trailing: frame
peer sends close nofin 1000
expect sent close 1002 any-reason
expect no event
peer eof
expect event closed 1002 protocol-error fragmented-control
