rfc: 5.4
title: Control frames must not be fragmented: a ping without FIN fails with 1002
role: both
trailing: frame
peer sends ping nofin "p"
expect sent close 1002 any-reason
expect no event
peer eof
expect event closed 1002 protocol-error fragmented-control
