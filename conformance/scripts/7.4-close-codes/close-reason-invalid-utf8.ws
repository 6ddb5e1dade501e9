rfc: 5.5.1
title: A close reason that is not UTF-8 fails with 1007
role: both
trailing: frame
peer sends close 1000 "bad \xff reason"
expect sent close 1007 any-reason
expect no event
peer eof
expect event closed 1007 protocol-error invalid-close-reason
