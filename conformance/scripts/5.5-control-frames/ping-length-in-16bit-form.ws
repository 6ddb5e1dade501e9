rfc: 5.5
title: A 5-byte ping whose length is sent in the 16-bit form fails with 1002: control frames are judged by the 7-bit length field, before any extended length
role: both
requires: implementation-choice
trailing: frame
peer sends ping len16 "short"
expect sent close 1002 any-reason
peer eof
expect event closed 1002 protocol-error control-too-large
