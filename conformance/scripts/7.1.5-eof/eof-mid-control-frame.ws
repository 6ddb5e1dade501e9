rfc: 7.1.5
title: EOF in the middle of a ping payload reports 1006; the ping is neither reported nor answered
role: both

peer sends ping "hello" cut-payload 3
peer eof
expect event closed 1006 eof
expect no output
