rfc: 5.2
title: 65535 bytes is the largest payload of the 16-bit length form
role: both
peer sends text repeat 65535 "a"
expect event text repeat 65535 "a"
