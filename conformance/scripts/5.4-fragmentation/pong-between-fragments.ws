rfc: 5.4
title: A pong between fragments is reported and changes nothing else
role: both
peer sends binary nofin hex 01
peer sends pong "unsolicited"
peer sends cont hex 02
expect event pong "unsolicited"
expect event binary hex 01 02
expect no output
