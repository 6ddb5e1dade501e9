rfc: 5.5.2
title: Keepalive is off by default: an hour of silence sends nothing
role: both
advance 3600 s
expect no output
expect no event
